"""`bpengine validate`: OK or one line per problem, exit status 0/1/2, JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bpengine.cli import main
from tests.conftest import DATA, shared_path

INVALID = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<process id="p"><task id="a" name="Paraf"/><sequenceFlow id="f" sourceRef="a" targetRef="a"/>
</process></definitions>"""


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_valid_file_prints_ok_and_summary():
    path = str(shared_path("corpus", "miwg", "A.1.0.bpmn"))
    result = run("validate", "--summary", path)
    assert result.exit_code == 0, result.output
    assert f"{path}: OK" in result.output
    assert "activities" in result.output


def test_invalid_file_exit_1_names_element_and_line(tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(INVALID)
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert "INVALID" in result.output
    assert f"{bad}:2: error: p: process 'p' has no start event" in result.output
    assert "Traceback" not in result.output


def test_unreadable_file_exit_2_and_json(tmp_path):
    bad = tmp_path / "x.bpmn"
    bad.write_text("not xml at all")
    result = run("validate", "--format", "json", str(bad))
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert report[0]["valid"] is False
    assert report[0]["problems"][0]["code"] == "xml"


def test_help_lists_commands():
    result = run("--help")
    assert result.exit_code == 0
    assert "validate" in result.output


def test_summary_counts_agree_in_number():
    """'1 pool', '1 approval', '1 activity': never '1 pools' or '1 approvals'."""
    processes = Path(__file__).resolve().parents[2] / "processes"
    assert "3 pools," in run("validate", "--summary", str(processes / "pbg.bpmn")).output
    result = run("validate", "--summary", str(processes / "cuti-asn.bpmn"))
    assert result.exit_code == 0, result.output
    assert "1 pools" not in result.output
    assert "1 pool," in result.output
    assert " 1 approvals" not in result.output
    assert " 1 activities" not in result.output
    assert "1 approval" in result.output


def test_a_folder_stands_for_its_bpmn_files(tmp_path):
    processes = Path(__file__).resolve().parents[2] / "processes"
    result = run("validate", str(processes))
    assert result.exit_code == 0, result.output
    assert "is a directory" not in result.output
    assert f"{processes / 'pbg.bpmn'}: OK" in result.output
    empty = run("validate", str(tmp_path))
    assert empty.exit_code == 2
    assert "is a directory" in empty.output


def test_a_model_error_says_error_once_per_line(tmp_path):
    result = run("analyze", str(tmp_path / "missing.bpmn"))
    assert result.exit_code == 1
    assert result.output == f"error: {tmp_path / 'missing.bpmn'}: no such file\n"


def test_a_wrong_option_value_is_one_line_naming_the_option():
    path = str(shared_path("corpus", "miwg", "A.1.0.bpmn"))
    result = run("validate", "--format", "xml", path)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: Invalid value for '--format'")
    assert "bpengine validate --help" in lines[0]
    assert "Usage:" not in result.output


def test_a_file_that_is_not_xml_is_called_not_bpmn(tmp_path):
    bad = tmp_path / "data.bpmn"
    bad.write_text('{"not": "bpmn"}')
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert "not a BPMN file: it is not XML at all" in result.output


def test_summary_counts_documents_not_their_references():
    from tests.conftest import PROCESSES

    result = run("validate", "--summary", str(PROCESSES / "surat-keterangan-domisili.bpmn"))
    assert result.exit_code == 0
    assert ", 8 documents" in result.output  # 8 documents drawn as 34 references


def test_summary_flags_as_mandatory_what_the_guard_keeps():
    # the lurah's signature carries no bpe:mandatory, but it is a legal act no redesign
    # removes: the summary must say so, as analyze's guard does, not only for the attribute
    from tests.conftest import PROCESSES

    out = run("validate", "--summary", str(PROCESSES / "surat-keterangan-domisili.bpmn")).output
    lines = {line.split()[1]: line for line in out.splitlines() if "approval Task_" in line}
    assert lines["Task_ttd_lurah"].endswith("[mandatory]")  # legal act (tanda tangani)
    assert lines["Task_ttd_camat"].endswith("[mandatory]")  # bpe:mandatory="true"
    assert not lines["Task_ttd_rw"].endswith("[mandatory]")  # 'mengetahui': no legal act


def test_corpus_conditions_in_feel_are_named_per_flow():
    """Issue #16: a condition the engine can never evaluate is found by validate (MIWG C.9.0
    is written for Zeebe: FEEL conditions such as ``= approved``)."""
    path = str(shared_path("corpus", "miwg", "C.9.0.bpmn"))
    result = run("validate", "--no-schema", path)
    assert result.exit_code == 1, result.output
    assert (
        f"{path}:98: error: SequenceFlow_ApplicationAccepted ('Application accepted'): the "
        "condition of this flow leaving 'ExclusiveGateway_Decision' can never be evaluated: "
        "expression '= approved': cannot be parsed: invalid syntax"
    ) in result.output
    assert "Traceback" not in result.output


def test_a_gateway_loop_is_a_warning_line_and_the_file_stays_ok():
    path = str(DATA / "hostile" / "livelock" / "gateway-loop.bpmn")
    result = run("validate", path)
    assert result.exit_code == 0, result.output
    assert f"{path}: OK (1 warning)" in result.output
    assert (
        f"{path}:11: warning: G_cek ('Skor cukup?'): a loop made only of gateways "
        "('Skor cukup?', 'Ulang?')"
    ) in result.output


def test_the_readme_example_of_mistakes_is_caught_before_a_case_reaches_them():
    """examples/izin-lingkungan.bpmn, as README's validate section shows it."""
    path = str(Path(__file__).resolve().parents[2] / "examples" / "izin-lingkungan.bpmn")
    result = run("validate", path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{path}: INVALID"
    assert [line.split(": ")[1:3] for line in lines[1:]] == [
        ["error", "F_amdal"],
        ["error", "B_sla ('Batas waktu')"],
        ["warning", "G_cek ('Skor cukup?')"],
    ]
