"""Cases, backtracking requests and industry reports in the workspace (in-process, through
the HTML forms): the API's scope rules and audit rows, field-level messages, 404 pages for
what the reader may not see; and the language a signed-in user picks, remembered on the user."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import AUDIT, Api, lane
from tests.incidents.helpers import REQUESTS, ask, record_incident
from tests.industry.helpers import REPORTS, file
from tests.workspace.helpers import Browser, csrf_of, post_form


def audit_actions(api: Api, subject_id: str) -> list[str]:
    items = api.admin.get(AUDIT, params={"subject_id": subject_id}).json()["items"]
    return sorted(e["action"] for e in items)


def message_of(response: Any, field: str) -> str:
    found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', response.text)
    assert found, f"no message slot for {field}"
    return found.group(1)


class TestCases:
    def test_an_officer_opens_a_case_adds_a_note_and_an_item_as_the_api_would(
        self, browsers: Browser, api: Api
    ) -> None:
        police = api.law_enforcement("PK")
        pk = browsers(police.token)
        empty = post_form(
            pk, "/workspace/cases", {"title": "", "scope": "full"}, "/workspace/cases"
        )
        assert empty.status_code == 200 and message_of(empty, "title") == "Required."
        assert police.get("/api/v1/cases").json()["items"] == []

        opened = post_form(
            pk, "/workspace/cases", {"title": "Port Qasim consignee"}, "/workspace/cases"
        )
        assert opened.status_code == 303, opened.text
        page = opened.headers["location"]
        case_id = page.rsplit("/", 1)[1]
        note = {"text": "Same address as the 2016 consignee"}
        assert post_form(pk, f"{page}/notes", note, page).status_code == 303
        incident = record_incident(police)
        unknown = post_form(pk, f"{page}/items", {"type": "incident", "id": "nosuchthing"}, page)
        assert unknown.status_code == 200 and 'role="alert"' in unknown.text
        added = post_form(pk, f"{page}/items", {"type": "incident", "id": incident["id"]}, page)
        assert added.status_code == 303

        shown = pk.get(page).text
        assert "Same address as the 2016 consignee" in shown
        assert f'href="/workspace/incidents/{incident["id"]}"' in shown
        assert f'href="/workspace/cases/{case_id}"' in pk.get("/workspace/cases").text
        stored = police.get(f"/api/v1/cases/{case_id}").json()
        assert [i["id"] for i in stored["items"]] == [incident["id"]]
        assert [n["text"] for n in stored["notes"]] == [note["text"]]
        twin = police.post("/api/v1/cases", json={"title": "Twin"}).json()
        police.post(f"/api/v1/cases/{twin['id']}/notes", json=note)
        police.post(
            f"/api/v1/cases/{twin['id']}/items", json={"type": "incident", "id": incident["id"]}
        )
        police.get(f"/api/v1/cases/{twin['id']}")
        assert set(audit_actions(api, case_id)) == set(audit_actions(api, twin["id"]))

    def test_the_owner_invites_an_authority_which_then_reads_the_case(
        self, browsers: Browser, api: Api
    ) -> None:
        police = browsers(api.law_enforcement("PK").token)
        opened = post_form(police, "/workspace/cases", {"title": "Shared"}, "/workspace/cases")
        page = opened.headers["location"]
        post_form(police, f"{page}/notes", {"text": "Consignee seen in 2016"}, page)
        germany = api.regulator("DE")
        assert browsers(germany.token).get(page).status_code == 404
        assert f'<option value="{germany.authority_id}"' in police.get(page).text
        invited = post_form(police, f"{page}/members", {"authority_id": germany.authority_id}, page)
        assert invited.status_code == 303, invited.text
        again = post_form(police, f"{page}/members", {"authority_id": germany.authority_id}, page)
        assert again.status_code == 200 and 'role="alert"' in again.text
        de = browsers(germany.token)
        assert "Consignee seen in 2016" in de.get(page).text
        assert 'data-action="invite-member"' not in de.get(page).text
        refused = de.post(
            f"{page}/members",
            data={"csrf": csrf_of(de, page), "authority_id": api.authority("FR")},
        )
        assert refused.status_code == 403
        case_id = page.rsplit("/", 1)[1]
        members = api.regulator("DE").get(f"/api/v1/cases/{case_id}").json()["members"]
        assert {m["country"] for m in members} == {"PK", "DE"}

    def test_a_case_of_another_authority_is_a_404_page_and_customs_have_none(
        self, browsers: Browser, api: Api
    ) -> None:
        case = api.regulator("PK").post("/api/v1/cases", json={"title": "Quiet one"}).json()
        other = browsers(api.law_enforcement("PK").token)
        hidden = other.get(f"/workspace/cases/{case['id']}")
        assert hidden.status_code == 404
        assert hidden.headers["content-type"].startswith("text/html")
        assert "Quiet one" not in hidden.text
        note = other.post(
            f"/workspace/cases/{case['id']}/notes",
            data={"csrf": csrf_of(other, "/workspace/cases"), "text": "Hello"},
        )
        assert note.status_code == 404
        customs = browsers(api.customs("PK").token)
        assert customs.get("/workspace/cases").status_code == 403
        assert 'href="/workspace/cases"' not in customs.get("/workspace").text


class TestBacktracking:
    def test_asked_from_the_incident_and_answered_from_the_list(
        self, browsers: Browser, api: Api
    ) -> None:
        incident = record_incident(api.law_enforcement("PK"))
        pk = browsers(api.law_enforcement("PK").token)
        page = f"/workspace/incidents/{incident['id']}"
        missing = post_form(pk, f"{page}/backtracking", {"to_country": "DE"}, page)
        assert missing.status_code == 200 and message_of(missing, "question") == "Required."
        asked = post_form(
            pk,
            f"{page}/backtracking",
            {"to_country": "de", "question": "Who supplied this acetic anhydride?"},
            page,
        )
        assert asked.status_code == 303, asked.text
        request = api.regulator("DE").get(REQUESTS, params={"direction": "received"}).json()
        request_id = request["items"][0]["id"]

        de = browsers(api.regulator("DE").token)
        received = de.get("/workspace/backtracking").text
        assert f'id="request-{request_id}"' in received
        assert de.get(f"/workspace/incidents/{incident['id']}").status_code == 200
        assert "Who supplied this acetic anhydride?" in received
        answer = f"/workspace/backtracking/{request_id}/answer"
        empty = post_form(de, answer, {"findings": ""}, "/workspace/backtracking")
        assert empty.status_code == 200
        assert message_of(empty, f"{request_id}-findings") == "Required."
        exporter = api.operator("DE", "Rhein Chemie")
        done = post_form(
            de,
            answer,
            {"findings": "Sold by Rhein Chemie to a broker", "operator_ids": exporter["id"]},
            "/workspace/backtracking",
        )
        assert done.status_code == 303, done.text
        answered = api.law_enforcement("PK").get(REQUESTS).json()["items"][0]
        assert answered["status"] == "answered" and answered["operator_ids"] == [exporter["id"]]
        assert "Sold by Rhein Chemie to a broker" in pk.get("/workspace/backtracking").text
        assert audit_actions(api, request_id) == ["backtracking.answered", "backtracking.requested"]

    def test_a_country_neither_side_sees_nothing(self, browsers: Browser, api: Api) -> None:
        request = ask(api.law_enforcement("PK"), record_incident(api.law_enforcement("PK")), "DE")
        fr = browsers(api.regulator("FR").token)
        assert "Who supplied this consignment?" not in fr.get("/workspace/backtracking").text
        refused = fr.post(
            f"/workspace/backtracking/{request['id']}/answer",
            data={"csrf": csrf_of(fr, "/workspace/cases"), "findings": "Nothing"},
        )
        assert refused.status_code == 404
        assert api.regulator("DE").get(REQUESTS).json()["items"][0]["status"] == "open"


def report_form(**overrides: Any) -> dict[str, Any]:
    form = {
        "kind": "order",
        "substance": "108-24-7",
        "quantity": "20",
        "unit": "t",
        "requested_route": "AE AF",
        "means_of_payment": "cash",
        "customer_name": "Falcon Trading FZE",
        "customer_country": "ae",
        "customer_address": "Jebel Ali",
        "indicator-unknown_customer": "yes",
        "indicator-unusual_payment": "yes",
        "narrative": "New customer asks for 20 t by next week, pays cash.",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


class TestIndustryReports:
    def test_a_company_files_and_its_regulator_triages(self, browsers: Browser, api: Api) -> None:
        company = api.industry("DE")
        browser = browsers(company.token)
        home = browser.get("/")
        assert home.headers["location"] == "/workspace/reports"
        reports = browser.get("/workspace/reports").text
        assert 'href="/workspace/pens"' not in reports and 'href="/workspace"' not in reports
        for elsewhere in ("", "/pens", "/shipments", "/flags", "/incidents", "/cases"):
            assert browser.get(f"/workspace{elsewhere}").status_code == 403
        assert browser.get("/dashboard").status_code == 403

        bad = post_form(
            browser,
            "/workspace/reports",
            report_form(
                customer_name=None,
                customer_country=None,
                quantity="lots",
                **{"indicator-unknown_customer": None, "indicator-unusual_payment": None},
            ),
            "/workspace/reports/new",
        )
        assert bad.status_code == 200
        assert message_of(bad, "customer_name") == "Required."
        assert message_of(bad, "customer_country") == "Required."
        assert message_of(bad, "quantity") == "Write a number, e.g. 1200.5."
        assert message_of(bad, "indicators") == "Choose at least one."
        assert company.get(REPORTS).json()["items"] == []

        filed = post_form(browser, "/workspace/reports", report_form(), "/workspace/reports/new")
        assert filed.status_code == 303, filed.text
        page = filed.headers["location"]
        report_id = page.rsplit("/", 1)[1]
        assert company.get(f"{REPORTS}/{report_id}").json()["customer"]["country"] == "AE"

        regulator = browsers(api.regulator("DE").token)
        assert f'href="{page}"' in regulator.get("/workspace/reports").text
        closing = post_form(regulator, f"{page}/triage", {"status": ""}, page)
        assert closing.status_code == 200 and message_of(closing, "status") == "Required."
        triaged = post_form(
            regulator,
            f"{page}/triage",
            {"status": "acknowledged", "feedback": "Thank you; we are looking into it."},
            page,
        )
        assert triaged.status_code == 303
        seen = browser.get(page).text
        assert "Thank you; we are looking into it." in seen and 'action="' + page not in seen
        twin = file(api.industry("DE"))
        api.regulator("DE").post(
            f"{REPORTS}/{twin['id']}/triage",
            json={"status": "acknowledged", "feedback": "Thank you"},
        )
        assert audit_actions(api, report_id) == audit_actions(api, twin["id"])

    def test_escalating_opens_an_incident(self, browsers: Browser, api: Api) -> None:
        report = file(api.industry("DE"))
        regulator = browsers(api.regulator("DE").token)
        page = f"/workspace/reports/{report['id']}"
        escalated = post_form(
            regulator,
            f"{page}/triage",
            {"status": "escalated", "kind": "attempted_diversion"},
            page,
        )
        assert escalated.status_code == 303, escalated.text
        stored = api.regulator("DE").get(f"{REPORTS}/{report['id']}").json()
        assert stored["status"] == "escalated" and stored["incident_id"]

    def test_others_see_no_report(self, browsers: Browser, api: Api) -> None:
        report = file(api.industry("DE"))
        page = f"/workspace/reports/{report['id']}"
        for token in (api.regulator("FR").token, api.industry("FR").token):
            hidden = browsers(token).get(page)
            assert hidden.status_code == 404 and "Falcon Trading" not in hidden.text
        assert browsers(api.customs("DE").token).get("/workspace/reports").status_code == 403
        company = browsers(api.industry("DE").token)
        refused = company.post(
            f"{page}/triage",
            data={"csrf": csrf_of(company, "/workspace/reports/new"), "status": "closed"},
        )
        assert refused.status_code == 403
        assert api.regulator("DE").get(page.replace("/workspace/reports", REPORTS)).json()[
            "status"
        ] == ("submitted")


def signed_in_again(browsers: Browser, token: str, **headers: str) -> TestClient:
    client = browsers(token)
    client.headers.update(headers)
    return client


class TestLanguageOfTheUser:
    def test_a_picked_language_follows_the_user_to_a_new_browser(
        self, browsers: Browser, api: Api
    ) -> None:
        officer = api.regulator("PK")
        first = browsers(officer.token)
        assert 'lang="fr"' in first.get("/workspace?lang=fr").text
        fresh = signed_in_again(browsers, officer.token, **{"Accept-Language": "es"})
        page = fresh.get("/workspace").text
        assert 'lang="fr"' in page and "Boîte de réception" in page
        fresh.cookies.set("pentrack_lang", "ru")
        assert 'lang="fr"' in fresh.get("/workspace/flags").text
        assert 'lang="zh"' in fresh.get("/workspace/flags?lang=zh").text
        assert 'lang="zh"' in browsers(officer.token).get("/workspace").text

    def test_without_a_saved_language_the_browser_decides(
        self, browsers: Browser, api: Api
    ) -> None:
        fresh = signed_in_again(browsers, api.regulator("PK").token, **{"Accept-Language": "es"})
        assert 'lang="es"' in fresh.get("/workspace").text
        fresh.cookies.set("pentrack_lang", "ar")
        assert 'lang="ar"' in fresh.get("/workspace").text


class TestConfidentiality:
    def test_a_draft_pen_never_enters_a_case_nor_shows_in_it(
        self, browsers: Browser, api: Api
    ) -> None:
        draft = lane(api).draft()
        de = browsers(api.regulator("DE").token)
        opened = post_form(de, "/workspace/cases", {"title": "Lane DE-PK"}, "/workspace/cases")
        page = opened.headers["location"]
        refused = post_form(
            de, f"{page}/items", {"type": "pre_export_notification", "id": draft["id"]}, page
        )
        assert refused.status_code == 200 and 'role="alert"' in refused.text
        assert draft["reference"] not in de.get(page).text
        assert api.regulator("DE").get(f"/api/v1/cases/{page.rsplit('/', 1)[1]}").json()[
            "items"
        ] == ([])

    def test_an_uninvited_countrys_record_does_not_reach_an_invited_member(
        self, browsers: Browser, api: Api
    ) -> None:
        incident = record_incident(
            api.law_enforcement("IR"), origin_country="AF", destination_country="PK"
        )
        owner = api.law_enforcement("PK")
        case = owner.post("/api/v1/cases", json={"title": "Iranian seizure", "scope": "full"})
        case_id = case.json()["id"]
        item = {"type": "incident", "id": incident["id"]}
        assert owner.post(f"/api/v1/cases/{case_id}/items", json=item).status_code == 201
        invited = api.law_enforcement("DE")
        member = {"authority_id": invited.authority_id}
        assert owner.post(f"/api/v1/cases/{case_id}/members", json=member).status_code == 201
        assert (
            incident["reference"] in browsers(owner.token).get(f"/workspace/cases/{case_id}").text
        )
        seen = browsers(invited.token).get(f"/workspace/cases/{case_id}")
        assert seen.status_code == 200 and "Iranian seizure" in seen.text
        assert incident["reference"] not in seen.text and incident["id"] not in seen.text

    def test_the_country_asked_reads_a_confidential_incident_without_its_description(
        self, browsers: Browser, api: Api
    ) -> None:
        incident = record_incident(
            api.law_enforcement("PK"), scope="confidential", origin_country="IN"
        )
        ask(api.law_enforcement("PK"), incident, "FR", scope="confidential")
        fr = browsers(api.regulator("FR").token)
        assert incident["reference"] in fr.get("/workspace/backtracking").text
        page = fr.get(f"/workspace/incidents/{incident['id']}")
        assert page.status_code == 200
        assert "routine inspection" not in page.text
        assert (
            "routine inspection"
            in browsers(api.law_enforcement("PK").token)
            .get(f"/workspace/incidents/{incident['id']}")
            .text
        )

    def test_a_report_reaches_no_other_company_or_country(
        self, browsers: Browser, api: Api
    ) -> None:
        file(api.industry("DE"), narrative="Asked for delivery to a PO box in Jebel Ali.")
        for token in (api.industry("FR").token, api.regulator("FR").token):
            assert "PO box" not in browsers(token).get("/workspace/reports").text
            assert "Falcon Trading" not in browsers(token).get("/workspace/reports").text
        assert (
            "Falcon Trading" in browsers(api.regulator("DE").token).get("/workspace/reports").text
        )

    def test_a_form_sent_with_a_language_saves_it_too(self, browsers: Browser, api: Api) -> None:
        officer = api.law_enforcement("PK")
        browser = browsers(officer.token)
        token = csrf_of(browser, "/workspace/cases")
        opened = browser.post(
            "/workspace/cases?lang=ru", data={"csrf": token, "title": "Лаборатория"}
        )
        assert opened.status_code == 303
        assert 'lang="ru"' in browsers(officer.token).get("/workspace/cases").text


def test_an_unknown_value_in_a_page_address_is_a_page_and_the_api_stays_json(
    browsers: Browser, api: Api
) -> None:
    regulator = browsers(api.regulator("DE").token)
    page = regulator.get("/workspace/reports?status=lost&lang=fr")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "valeur que cette page ne connaît pas" in page.text
    response = api.regulator("DE").get(f"{REPORTS}?status=lost")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
