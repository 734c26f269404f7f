"""The example agency inbox (examples/inbox), served on a real loopback port and driven over
real HTTP, on SQLite and PostgreSQL: login, lanes enforced, CSRF, body limits, forms, a
shipped procedure end to end, pagination, the history escaped, incidents and retry."""

from __future__ import annotations

import http.client
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bpengine import Engine, load

from .conftest import happy_path_data

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
DOMISILI = ROOT / "processes" / "surat-keterangan-domisili.bpmn"
PASSWORD = "rahasia-dinas-2025"
XSS = "<script>alert(1)</script>"
# An element id and a lane name that break out of HTML if printed raw; the engine accepts
# them (ids are not checked as XML names), so the app must escape them.
XSS_MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_xss">
  <process id="xss" name="Uji &lt;b&gt;" isExecutable="true">
    <laneSet id="ls"><lane id="L" name="&lt;img src=x onerror=alert(2)&gt;">
      <flowNodeRef>s</flowNodeRef><flowNodeRef>t&quot;&gt;&lt;i&gt;x</flowNodeRef>
      <flowNodeRef>e</flowNodeRef></lane></laneSet>
    <startEvent id="s"/>
    <userTask id="t&quot;&gt;&lt;i&gt;x" name="&lt;script&gt;alert(1)&lt;/script&gt;"/>
    <endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="t&quot;&gt;&lt;i&gt;x"/>
    <sequenceFlow id="f2" sourceRef="t&quot;&gt;&lt;i&gt;x" targetRef="e"/>
  </process>
</definitions>"""
XSS_LANE = "<img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def inbox():
    import examples.inbox as module  # the repository root is on the path (setup.cfg)

    return module


@pytest.fixture(scope="module")
def staff(inbox, tmp_path_factory):
    """The demo users (hashing is slow on purpose: once per module)."""
    users = inbox.Users(path=tmp_path_factory.mktemp("users") / "users.json")
    domisili = sorted({lane.name for lane in load(DOMISILI).lanes.values()})
    users.add("pegawai", PASSWORD, ["Pegawai"], name="Pegawai Uji")
    users.add("dewi", PASSWORD, ["Pegawai"], name="Dewi")
    users.add("budi", PASSWORD, ["Atasan Langsung"], name="Budi")
    users.add("petugas", PASSWORD, ["Petugas", XSS_LANE], name="Petugas Loket")
    users.add("kelurahan", PASSWORD, domisili, name="Kantor Kelurahan")
    users.add("admin", PASSWORD, [], name="Admin", admin=True)
    users.add("loket1", PASSWORD, ["loket"], name="Loket Satu")
    users.add("sekre", PASSWORD, ["Sekretariat"], name="Sekretariat")
    users.add("vera", PASSWORD, [], name="Vera")
    users.add("kepala", PASSWORD, ["Kepala"], name="Kepala Kantor")
    users.save()
    return inbox.Users.load(users.path)


def _kirim(data):
    """The registry handler: fails until the case has a NIK (the fix)."""
    if not data.get("nik"):
        raise LookupError("NIK belum diisi")
    return {"nomor": 7}


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path, inbox, staff):
    url = (
        f"sqlite:///{tmp_path / 'inbox.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    engine = Engine(url, lane_timezones={"Kantor Wilayah Makassar": "Asia/Makassar"})
    app = inbox.create_app(
        engine,
        [
            DOMISILI,
            DATA / "formulir.bpmn",
            DATA / "jobs.bpmn",
            DATA / "penugasan.bpmn",
            load(XSS_MODEL),
        ],
        staff,
        secret_key="k" * 40,
        handlers={"S_kirim": _kirim},
        max_body=16 * 1024,
        page_size=10,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", engine
    server.shutdown()
    server.server_close()
    engine.close()


class Browser:
    """A person at a browser: cookies kept, redirects followed, the last CSRF token kept."""

    def __init__(self, base: str):
        self.base, self.jar, self.csrf = base, CookieJar(), ""
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                status, body, url = response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as error:
            status, body, url = error.code, error.read().decode(), error.url
        token = re.search(r'name="csrf" value="([^"]+)"', body)
        if token:
            self.csrf = token.group(1)
        assert "Traceback" not in body
        return status, body, url

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(self.base + path)

    def post(self, path: str, fields: dict | None = None, csrf: bool = True):
        fields = dict(fields or {})
        if csrf:
            fields.setdefault("csrf", self.csrf)
        return self._open(
            urllib.request.Request(
                self.base + path, data=urllib.parse.urlencode(fields).encode(), method="POST"
            )
        )

    def login(self, user: str, password: str = PASSWORD):
        self.get("/login")
        return self.post("/login", {"user": user, "password": password})


def _raw(base: str, body: bytes, headers: dict) -> int:
    """POST raw bytes with these headers; the status of the answer."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", "/task/x/complete")
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _section(page: str, title: str) -> str:
    """The part of a page under the heading ``title``, up to the next heading."""
    return page.split(f"<h2>{title}</h2>", 1)[1].split("<h2>", 1)[0]


def _tasks(page: str) -> list[str]:
    return re.findall(r'href="/task/([0-9a-f-]+)"', page)


def _field_names(page: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="f:([^"]+)"', page)))


def test_login_lanes_csrf_limits_forms_and_escaping(site):
    base, engine = site
    leave = engine.start("formulir", {"atasan": "budi"}, actor="loket").id
    other = engine.start("jobs", {"prioritas": "biasa"}).tasks
    [terima] = [t for t in other if t.element_id == "T_terima"]
    ani = Browser(base)
    status, page, url = ani.get("/")
    assert status == 200
    assert url.endswith("/login?next=/")
    assert "Kata sandi" in page
    assert ani.post("/login", {"user": "pegawai", "password": "salah"})[0] == 401
    assert ani.post("/login", {"user": "pegawai", "password": PASSWORD}, csrf=False)[0] == 403
    ani.get("/login")
    status, page, url = ani.post(
        "/login", {"user": "pegawai", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert status == 200
    assert url == base + "/"
    assert "Kotak masuk Pegawai Uji" in page
    [cookie] = [c for c in ani.jar if c.name == "inbox_session"]
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite") == "Strict"

    # the inbox lists the user's lane only; another lane's inbox, task and action are 403
    status, page, _ = ani.get("/inbox?group=Pegawai")
    [isi] = re.findall(r'href="/task/([0-9a-f-]+)"', page)
    assert status == 200
    assert engine.task(isi).case_id == leave
    assert terima.id not in page
    assert ani.get("/inbox?group=Petugas")[0] == 403
    assert ani.get(f"/task/{terima.id}")[0] == 403
    assert ani.post(f"/task/{terima.id}/complete")[0] == 403
    assert engine.task(terima.id).state == "ready"
    assert ani.get("/cases")[0] == 403
    assert ani.get("/incidents")[0] == 403

    # a task claimed by a colleague of the same lane: the engine's Forbidden is a 403
    status, page, _ = ani.post(f"/task/{isi}/claim")
    assert status == 200
    assert "Diklaim oleh pegawai" in page
    assert "Lepas klaim" in page
    dewi = Browser(base)
    dewi.login("dewi")
    status, page, _ = dewi.post(f"/task/{isi}/complete", {"f:lama_cuti": "2"})
    assert status == 403
    assert "is claimed by &#39;pegawai&#39;" in page
    assert dewi.post(f"/task/{isi}/unclaim")[0] == 403
    assert ani.post(f"/task/{isi}/unclaim")[0] == 200
    assert engine.task(isi).assignee is None

    # the form comes from the task's formFields; a wrong value is 422 next to its field
    status, page, _ = ani.get(f"/task/{isi}")
    assert _field_names(page) == ["lama_cuti", "alasan", "mulai", "pengganti_ada"]
    status, page, _ = ani.post(f"/task/{isi}/complete", {"f:lama_cuti": "tiga"})
    assert status == 422
    assert 'id="error-lama_cuti"' in page
    assert "&#39;tiga&#39; is not a whole number" in page
    status, page, _ = ani.post(
        f"/task/{isi}/complete",
        {"f:lama_cuti": "3", "f:alasan": "keluarga sakit", "f:mulai": "2025-02-03"},
    )
    assert status == 200
    assert "Pertimbangan" not in page
    assert ani.post(f"/task/{isi}/complete", {"f:lama_cuti": "3"})[0] == 409  # done already

    # the head sees it in "my tasks" (camunda:assignee), a typo in the enum is refused
    budi = Browser(base)
    _, page, _ = budi.login("budi")
    [decide] = re.findall(r'href="/task/([0-9a-f-]+)"', _section(page, "Tugas saya"))
    status, page, _ = budi.post(f"/task/{decide}/complete", {"f:pertimbangan": "disetujui "})
    assert status == 422
    assert 'id="error-pertimbangan"' in page
    assert "&#39;disetujui &#39; is not one of" in page
    status, page, _ = budi.post(f"/task/{decide}/complete", {"f:pertimbangan": "disetujui"})
    assert status == 200
    assert 'id="status">completed' in page
    assert engine.get(leave).outcome == "E_ok"

    # the body is checked before it is read: too big is 413 at once, garbage is 400. The
    # client sends 100 of the 10**9 bytes it announces, so any answer at all says the server
    # refused on the header (waiting for the body would end in the client's timeout instead)
    cookie_header = f"inbox_session={cookie.value}"
    status = _raw(
        base,
        b"x" * 100,
        {
            "Content-Length": str(10**9),
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie_header,
        },
    )
    assert status == 413
    for body in (b"\xff\xfe\x00garbage", b"a=1&&=&%%%"):
        status = _raw(
            base,
            body,
            {
                "Content-Length": str(len(body)),
                "Cookie": cookie_header,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert status == 400
    status = _raw(
        base,
        b"--b\r\n",
        {
            "Content-Length": "5",
            "Cookie": cookie_header,
            "Content-Type": "multipart/form-data; boundary=b",
        },
    )
    assert status == 415
    chunk = b"a=" + b"x" * 20 * 1024  # chunked: no length to refuse on, cut at the limit
    status = _raw(
        base,
        b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk),
        {
            "Transfer-Encoding": "chunked",
            "Cookie": cookie_header,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 413
    assert ani.get("/")[0] == 200  # the app is still there

    # a deployed model's element id, name and lane are escaped in every page
    xss_task = engine.start("xss").tasks[0]
    loket = Browser(base)
    loket.login("petugas")
    status, page, _ = loket.get("/")
    assert status == 200
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert XSS_LANE not in page
    status, page, _ = loket.get(f"/task/{xss_task.id}")
    assert status == 200
    assert XSS not in page
    assert "&lt;script&gt;alert(1)" in page
    status, page, _ = loket.post(f"/task/{xss_task.id}/complete")
    assert status == 200
    assert 'id="status">completed' in page
    assert XSS not in page
    assert "<i>" not in page
    assert "<img" not in page
    assert "t&#34;&gt;&lt;i&gt;x" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_shipped_procedure_end_to_end_over_http(site):
    base, engine = site
    model = load(DOMISILI)
    answers = happy_path_data(model)
    clerk = Browser(base)
    _, page, _ = clerk.login("kelurahan")
    key = re.search(r'action="/start/([^"]+)"', page).group(1)
    start_form = page.split(f'action="/start/{key}"')[1].split("</form>")[0]
    fields = {"business_key": "DOM-2025-0001"}
    for name in _field_names(start_form):
        fields["f:" + name] = str(answers[name]).lower()
    status, page, url = clerk.post(f"/start/{key}", fields)
    assert status == 200
    assert "/case/" in url
    case_id = url.rsplit("/", 1)[1]
    done = []
    for _ in range(30):
        links = re.findall(r'href="/task/([0-9a-f-]+)"', page)
        if not links:
            break
        status, form, _ = clerk.get(f"/task/{links[0]}")
        assert status == 200
        fields = {"f:" + name: str(answers[name]).lower() for name in _field_names(form)}
        status, page, _ = clerk.post(f"/task/{links[0]}/complete", fields)
        assert status == 200, page
        done.append(engine.task(links[0]).element_id)
    case = engine.get(case_id)
    assert case.status == "completed"
    assert case.business_key == "DOM-2025-0001"
    assert 'id="status">completed' in page
    assert len(done) >= 5
    assert all(case.data[name] == value for name, value in answers.items() if name in case.data)
    assert [h.actor for h in engine.history(case_id) if h.action == "complete"] == [
        "kelurahan"
    ] * len(done)


def test_case_pages_with_totals_and_an_incident_retried_after_the_fix(site):
    base, engine = site
    for i in range(23):
        engine.start(
            "jobs", {"prioritas": "biasa", "nik": f"3273{i:04d}"}, business_key=f"REG-{i:03d}"
        )
    admin = Browser(base)
    admin.login("admin")
    status, page, _ = admin.get("/cases?limit=10&offset=20")
    assert status == 200
    assert "21–23 dari 23" in page
    assert 'rel="prev"' in page
    assert 'rel="next"' not in page
    assert page.count('href="/case/') == 3
    status, page, _ = admin.get("/cases?limit=10")
    assert "1–10 dari 23" in page
    assert 'href="/cases?offset=10&amp;limit=10"' in page
    assert admin.get("/cases?offset=-1")[0] == 400
    assert admin.get("/cases?limit=x")[0] == 400

    # a case without NIK: the registry handler raises when the officer hands it on
    broken = engine.start("jobs", {"prioritas": "biasa"}, business_key="REG-RUSAK")
    [terima] = [t for t in broken.tasks if t.element_id == "T_terima"]
    loket = Browser(base)
    loket.login("petugas")
    status, page, _ = loket.post(f"/task/{terima.id}/complete")
    assert status == 200
    assert "LookupError: NIK belum diisi" in page
    status, page, _ = admin.get("/incidents")
    assert status == 200
    assert broken.id[:8] in page
    assert "S_kirim (service)" in page
    assert admin.post(f"/case/{broken.id}/retry", {"data": "[1]"})[0] == 400
    assert loket.post(f"/case/{broken.id}/retry", {"data": ""})[0] == 403
    status, page, _ = admin.post(
        f"/case/{broken.id}/retry", {"data": json.dumps({"nik": "3273999"})}
    )
    assert status == 200
    assert 'id="status">completed' in page
    assert engine.get(broken.id).outcome == "E_selesai"
    assert not engine.incidents()
    assert "Tidak ada insiden terbuka" in admin.get("/incidents")[1]


@pytest.mark.parametrize("site", ["postgresql"], indirect=True)
def test_a_database_outage_is_a_503_without_details_and_the_app_recovers(site, pg_server):
    from sqlalchemy import create_engine, text

    base, engine = site
    name = engine.db.url.database
    clerk = Browser(base)
    clerk.login("pegawai")
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:  # the database goes away under the running app
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
                ),
                {"name": name},
            )
        status, page, _ = clerk.get("/")
        assert status == 503
        assert "Basis data sedang tidak tersedia" in page
        assert name not in page
        assert "127.0.0.1" not in page
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert clerk.get("/")[0] == 200


@pytest.mark.parametrize("site", ["sqlite"], indirect=True)
def test_guessing_a_password_locks_the_name_for_a_while(site):
    base, _engine = site
    guesser = Browser(base)
    guesser.get("/login")
    for attempt in range(5):
        assert guesser.post("/login", {"user": "mallory", "password": f"tebak{attempt}"})[0] == 401
    status, page, _ = guesser.post("/login", {"user": "mallory", "password": PASSWORD})
    assert status == 429
    assert "Terlalu banyak percobaan" in page


def test_the_users_file_keeps_hashes_only(inbox, tmp_path, monkeypatch, capsys):
    from examples.inbox.__main__ import main
    from examples.inbox.users import UserFileError

    path = tmp_path / "users.json"
    monkeypatch.setenv("INBOX_PASSWORD", PASSWORD)
    main(["adduser", str(path), "siti", "--groups", "Ketua RT, Ketua RW", "--full-name", "Siti"])
    assert "siti (Siti) works in Ketua RT, Ketua RW" in capsys.readouterr().out
    assert PASSWORD not in path.read_text()
    assert path.stat().st_mode & 0o077 == 0
    users = inbox.Users.load(path)
    assert users.authenticate("siti", PASSWORD).groups == ("Ketua RT", "Ketua RW")
    assert users.authenticate("siti", PASSWORD + "x") is None
    raw = json.loads(path.read_text())
    raw["users"]["siti"]["password"] = PASSWORD  # someone typed a password in by hand
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(raw))
    with pytest.raises(UserFileError, match="user 'siti': password must be a scrypt or pbkdf2"):
        inbox.Users.load(plain)
    monkeypatch.setenv("INBOX_PASSWORD", "pendek")
    with pytest.raises(SystemExit, match="at least 8 characters"):
        main(["adduser", str(tmp_path / "other.json"), "budi"])
    with pytest.raises(SystemExit, match="no users; add one"):
        main(["serve", str(DOMISILI), "--users", str(tmp_path / "none.json")])
    monkeypatch.setenv("INBOX_SECRET_KEY", "k" * 40)
    with pytest.raises(SystemExit, match="'Nowhere/Zone' is not an IANA name"):
        main(
            [
                "serve",
                str(DOMISILI),
                "--users",
                str(path),
                "--db",
                f"sqlite:///{tmp_path / 'x.db'}",
                "--lane-timezone",
                "Kepala=Nowhere/Zone",
            ]
        )


def test_candidates_delegation_and_due_dates(site):
    base, engine = site
    case = engine.start(
        "penugasan", {"unit": "arsip", "verifikator": "vera", "batas": "2025-01-10"}
    )
    [terima] = [t.id for t in case.tasks if t.kind == "user"]
    # offered to the candidate groups loket and ${unit}: its lane alone is not enough
    sekre = Browser(base)
    sekre.login("sekre")
    assert terima not in sekre.get("/inbox?group=Sekretariat")[1]
    assert sekre.get(f"/task/{terima}")[0] == 403
    assert sekre.post(f"/task/{terima}/complete")[0] == 403
    loket = Browser(base)
    _, page, _ = loket.login("loket1")
    assert "<td>1</td>" in _section(page, "Kelompok saya")
    status, page, _ = loket.get("/inbox?group=loket")
    assert _tasks(page) == [terima]
    assert loket.post(f"/task/{terima}/complete")[0] == 200

    # offered to the verifier the case names; she delegates, the delegate resolves
    vera = Browser(base)
    _, page, _ = vera.login("vera")
    [verifikasi] = _tasks(_section(page, "Ditawarkan kepada saya"))
    status, page, _ = vera.get(f"/task/{verifikasi}")
    assert "Ditawarkan kepada: vera" in page
    assert re.search(r'id="due">\d\d-\d\d-\d{4} \d\d:\d\d WITA<', page)  # Makassar's time
    assert vera.post(f"/task/{verifikasi}/claim")[0] == 200
    status, page, _ = vera.post(f"/task/{verifikasi}/delegate", {"to": "budi"})
    assert status == 200
    assert "(didelegasikan)" in page
    assert vera.post(f"/task/{verifikasi}/complete", {"f:lengkap": "true"})[0] == 403
    budi = Browser(base)
    _, page, _ = budi.login("budi")
    assert verifikasi in _tasks(_section(page, "Tugas saya"))
    assert "didelegasikan oleh vera" in page
    status, page, _ = budi.get(f"/task/{verifikasi}")
    assert "Kembalikan ke vera" in page
    status, page, _ = budi.post(
        f"/task/{verifikasi}/complete", {"f:lengkap": "true", "f:catatan": "berkas lengkap"}
    )
    assert status == 200
    task = engine.task(verifikasi)
    assert (task.assignee, task.owner, task.delegation) == ("vera", "vera", "resolved")
    status, page, _ = vera.post(f"/task/{verifikasi}/complete")  # the delegate's answers
    assert status == 200
    assert engine.get(case.id).data["lengkap"] is True

    # the head's signature is due on ${batas}, long past: overdue in the group's inbox
    kepala = Browser(base)
    _, page, _ = kepala.login("kepala")
    assert 'href="/inbox?group=Kepala&amp;overdue=1">1</a>' in page
    status, page, _ = kepala.get("/inbox?group=Kepala&overdue=1")
    [tanda] = _tasks(page)
    assert engine.task(tanda).element_id == "T_tanda"
    assert re.search(r'<span class="error">1[01]-01-2025', page)  # end of 10 January
