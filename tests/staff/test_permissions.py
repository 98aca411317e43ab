"""Every staff page refuses visitors without the permission it declares.

The routes are found at run time in app.url_map, so a route added later is
checked too, and one added without @permission_required makes this fail. What
each role should get is read from the one permissions table (survey/permissions.py).
"""
from werkzeug.routing import IntegerConverter

from survey.permissions import GRANTS, ROLES, Permission

from ..conftest import StaffLogin

#: Open to anyone: the way in, and the language switch.
PUBLIC = {"staff.login", "staff.second_factor", "staff.set_language"}
#: Need a logged-in account of any role, and must work before two-factor is set up
#: (permission_required sends such an account to enrolment) or for any role at all.
LOGIN_ONLY = {"staff.enrol_2fa", "staff.logout", "staff.session_status",
              "staff.extend_session"}
REFUSED = (401, 403, 404)


def staff_routes(app):
    """(endpoint, url with dummy arguments, method) for every /staff/ rule but static files."""
    adapter = app.url_map.bind("survey.example.dk")
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff/") or rule.endpoint.endswith("static"):
            continue
        values = {name: 1 if isinstance(rule._converters.get(name), IntegerConverter) else "x"
                  for name in rule.arguments - set(rule.defaults or ())}
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = "GET" if "GET" in methods else sorted(methods)[0]
        routes.append((rule.endpoint, adapter.build(rule.endpoint, values, method=method),
                       method))
    return sorted(routes)


def protected_routes(app):
    return [r for r in staff_routes(app) if r[0] not in PUBLIC]


def request(client, url, method, csrf_token):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": csrf_token})


def login_page_token(staff_login):
    return staff_login.csrf_token("/staff/login")


def refusals(client, routes, csrf_token):
    """The routes that did not refuse: anything but a redirect to the login page or 401/403/404."""
    wrong = []
    for endpoint, url, method in routes:
        response = request(client, url, method, csrf_token)
        to_login = (response.status_code == 302
                    and response.location.startswith("/staff/login"))
        if not (to_login or response.status_code in REFUSED):
            wrong.append((endpoint, method, url, response.status_code, response.location))
    return wrong


def test_the_routes_are_found(app):
    endpoints = {endpoint for endpoint, _, _ in staff_routes(app)}
    assert {"staff.home", "participant_pages.index", "participant_pages.detail",
            "audit_reports.verify_page", "audit_reports.response_trail"} <= endpoints
    assert PUBLIC | LOGIN_ONLY <= endpoints  # the exceptions are still real routes


def required_permission(app, endpoint):
    return getattr(app.view_functions[endpoint], "required_permission", None)


def test_every_staff_route_declares_a_permission(app):
    missing = [endpoint for endpoint, _, _ in protected_routes(app)
               if endpoint not in LOGIN_ONLY
               and not isinstance(required_permission(app, endpoint), Permission)]
    assert missing == [], "add @permission_required(Permission....) to these views"


def test_anonymous_visitors_are_refused(app, client, staff_login):
    assert refusals(client, protected_routes(app), login_page_token(staff_login)) == []


def test_a_participant_session_is_refused(app, client, make_invitation, participant_browser,
                                          staff_login):
    participant_browser.open(make_invitation())
    with client.session_transaction() as session:
        assert "invitation_id" in session
    assert refusals(client, protected_routes(app), login_page_token(staff_login)) == []


def test_half_logged_in_is_refused(app, client, make_staff, staff_login):
    """Password right, second factor not yet given: nothing but the code page."""
    from ..conftest import STAFF_PASSWORD

    email = make_staff("admin")
    response = client.post("/staff/login", data={
        "csrf_token": login_page_token(staff_login), "email": email,
        "password": STAFF_PASSWORD})
    assert response.location.startswith("/staff/login/code")
    assert refusals(client, protected_routes(app), login_page_token(staff_login)) == []


def logged_in_client(app, make_staff, role):
    client = app.test_client()
    login = StaffLogin(client, make_staff)
    login.as_role(role)
    return client, login.csrf_token("/staff/")


def routes_by_role(app, holds):
    """{role: routes} where holds(role, permission) for the route's declared permission."""
    by_role = {}
    for endpoint, url, method in protected_routes(app):
        permission = required_permission(app, endpoint)
        for role in ROLES:
            if permission is not None and holds(role, permission):
                by_role.setdefault(role, []).append((endpoint, url, method))
    return by_role


def test_a_role_lacking_a_permission_gets_403_from_every_view_declaring_it(app, make_staff):
    by_role = routes_by_role(app, lambda role, p: role not in GRANTS[p].roles)
    assert set(by_role) == {"data_entry", "coordinator"}, "the table no longer limits a role"
    wrong = []
    for role, routes in by_role.items():
        client, token = logged_in_client(app, make_staff, role)
        for endpoint, url, method in routes:
            status = request(client, url, method, token).status_code
            if status != 403:
                wrong.append((role, endpoint, method, url, status))
    assert wrong == []


def test_a_role_holding_a_permission_opens_every_page_declaring_it(app, make_staff):
    """Only pages that a GET opens: a POST with made-up arguments could change something."""
    by_role = routes_by_role(app, lambda role, p: role in GRANTS[p].roles)
    assert set(by_role) == set(ROLES)
    wrong = []
    for role, routes in by_role.items():
        client, _ = logged_in_client(app, make_staff, role)
        for endpoint, url, method in routes:
            if method != "GET":
                continue
            response = client.get(url)
            to_login = response.status_code == 302 and "/staff/login" in response.location
            # 404: the dummy study ID or number does not exist, which the page said itself.
            if to_login or response.status_code in (401, 403, 500):
                wrong.append((role, endpoint, url, response.status_code))
    assert wrong == []


def test_unknown_staff_address_gets_a_staff_page_not_the_participant_link_page(client,
                                                                              staff_login):
    staff_login.as_role("data_entry")
    response = client.get("/staff/participants/NO-SUCH-ID")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Ikke fundet" in html and "Linket virker ikke" not in html
