"""Importers (xlam, OpenAI, BFCL, OpenAPI, standard JSON) and exporters, with round trips and
malformed documents that must fail naming the entry and field."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from apigen.catalog import CatalogError, load_catalog
from apigen.catalog.formats import ANY_TYPES, EXPORTERS
from apigen.config import Config, register_schemas
from apigen.execution import ExecutionService, SandboxPool
from apigen.paths import config_dir

DATA = Path(__file__).parent / "data"


def load(fmt: str, name: str, **options):
    return load_catalog([], sources=[{"format": fmt, "path": str(DATA / name), **options}])


def test_xlam_types_optionals_defaults_and_categories():
    cat = load("xlam", "xlam_tools.json", category="Gaming")
    grade = cat.get("calculate_grade")
    assert grade.parameters["properties"]["scores"] == {"type": "array", "items": {"type": "number"}, "description": "A list of scores."}
    assert grade.parameters["required"] == ["scores", "weights"]
    eco = cat.get("get_ecoindex_analysis_list_version_ecoindexes_get")
    assert eco.category == "Environment"  # the entry's own category wins over the source's
    assert eco.parameters["required"] == ["version"]
    assert eco.parameters["properties"]["size"] == {"type": "integer", "description": "Number of elements per page. Defaults to 50.", "default": 50}
    assert cat.get("live_giveaways_by_type").category == "Gaming"
    assert all(s.executor.kind == "none" for s in cat.specs)
    assert load("xlam", "xlam_tools.json").get("calculate_grade").category == "Other"


def test_openai_and_bfcl_import():
    openai = load("openai", "openai_tools.json")
    weather = openai.get("get_current_weather")
    assert weather.parameters["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert openai.get("get_delivery_date").category == "Commerce"
    bfcl = load("bfcl", "bfcl_functions.json", category="Math")
    hypot = bfcl.get("math.hypot")
    assert hypot.parameters["type"] == "object"
    assert hypot.parameters["properties"]["x"]["type"] == "number"
    assert hypot.parameters["properties"]["point"] == {"type": "array", "items": {"type": "number"}, "description": "Optional (x, y) pair."}
    assert hypot.parameters["properties"]["options"]["type"] == "object"
    assert bfcl.get("calculate_triangle_area").category == "Math"


def test_bfcl_parameter_described_only_inside_gets_that_description():
    """As in BFCL's find_movie_showing (parallel) and irrelevance docs: the text sits under items,
    or only on the fields of an object parameter."""
    from apigen.catalog.importers.tool_formats import bfcl_spec

    entry = {"name": "find_movie_showing", "description": "Find showings.", "parameters": {"type": "dict", "properties": {
        "time": {"type": "array", "items": {"type": "string", "description": "Show time for each movie"}},
        "point": {"type": "dict", "properties": {"lat": {"type": "float", "description": "Latitude."}, "lon": {"type": "float"}}},
        "traits": {"type": "array", "items": {"type": "dict", "properties": {"trait": {"type": "string", "description": "A trait."}}}},
    }, "required": ["time"]}}
    props = bfcl_spec(entry, category="Movies").parameters["properties"]
    assert props["time"] == {"type": "array", "items": {"type": "string", "description": "Show time for each movie"},
                             "description": "Show time for each movie"}
    assert props["point"]["description"] == "Has lat (Latitude.), lon."
    assert props["traits"]["description"] == "Each item has trait (A trait.)."


@pytest.mark.parametrize("fmt,fixture", [("xlam", "xlam_tools.json"), ("openai", "openai_tools.json"), ("bfcl", "bfcl_functions.json")])
def test_round_trip_import_export_import(tmp_path: Path, fmt: str, fixture: str):
    first = load(fmt, fixture)
    exported = [EXPORTERS[fmt](s.tool_schema(), category=s.category) for s in first.specs]
    out = tmp_path / f"export.{fmt}.json"
    out.write_text(json.dumps(exported))
    second = load_catalog([], sources=[{"format": fmt, "path": str(out)}])
    assert [s.to_dict() for s in second.specs] == [s.to_dict() for s in first.specs]


def test_builtin_specs_export_to_every_format_and_back(tmp_path: Path):
    builtin = load_catalog(["builtin:api_catalog/music.py"])
    for fmt in ("openai", "bfcl"):
        path = tmp_path / f"{fmt}.json"
        path.write_text(json.dumps([EXPORTERS[fmt](s.tool_schema(), category=s.category) for s in builtin.specs]))
        back = load_catalog([], sources=[{"format": fmt, "path": str(path)}])
        assert [s.tool_schema() for s in back.specs] == [s.tool_schema() for s in builtin.specs]
        assert {s.category for s in back.specs} == {"Music"}
    xlam = EXPORTERS["xlam"](builtin.get("build_scale").tool_schema())
    assert xlam["parameters"]["mode"]["type"] == "str, optional"
    assert "One of: major, natural_minor" in xlam["parameters"]["mode"]["description"]


@pytest.mark.parametrize("text,schema", [
    ("List[Tuple[float, float]]", {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}),
    ("List[Dict[str, Any]]", {"type": "array", "items": {"type": "object"}}),
    ("Dict[str, List[int]]", {"type": "object"}),
    ("Tuple[int, str]", {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}),
    ("Tuple[int, ...]", {"type": "array", "items": {"type": "integer"}}),
    ("Union[List[int], str]", {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "string"}]}),
    ("Set[Union[int, float]]", {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "number"}]}}),
])
def test_xlam_commas_inside_brackets_belong_to_the_inner_type(text: str, schema: dict):
    from apigen.catalog.importers.tool_formats import xlam_type_schema

    assert xlam_type_schema("f", "parameters.x.type", text) == (schema, False)
    assert xlam_type_schema("f", "parameters.x.type", text + ", optional") == (schema, True)


@pytest.mark.parametrize("text", ["List[int", "Dict[str, int]]", "Callable[[int], int]", "List[int, str]", "Union[]"])
def test_xlam_types_that_cannot_be_read_are_named(text: str):
    from apigen.catalog.importers.tool_formats import xlam_type_schema
    from apigen.catalog.spec import SpecError

    with pytest.raises(SpecError, match=r"field 'parameters.x.type': unsupported type '" + re.escape(text) + "'"):
        xlam_type_schema("f", "parameters.x.type", text)


# Every kind of parameter schema the xlam exporter writes a distinct type for, and what the importer
# reads back: the schema itself, except a partial list of types, which comes back as the same anyOf.
XLAM_ROUND_TRIP = {
    "an_int": {"type": "integer"}, "a_float": {"type": "number"}, "a_str": {"type": "string"},
    "a_bool": {"type": "boolean"}, "a_dict": {"type": "object"}, "a_list": {"type": "array"}, "a_none": {"type": "null"},
    "anything": {"type": list(ANY_TYPES)},
    "ints": {"type": "array", "items": {"type": "integer"}},
    "grid": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
    "records": {"type": "array", "items": {"type": "object"}},
    "int_or_str": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
    "ints_or_str": {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "string"}]},
    "mixed_items": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}},
    "nested_union": {"anyOf": [{"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "object"}]}}, {"type": "boolean"}]},
}


def test_xlam_round_trip_of_every_type_the_exporter_writes(tmp_path: Path):
    partial = {"str_or_int": ({"type": ["string", "integer"]}, {"anyOf": [{"type": "string"}, {"type": "integer"}]})}
    written = {**{k: (v, v) for k, v in XLAM_ROUND_TRIP.items()}, **partial}
    properties = {name: {**schema, "description": f"The {name}."} for name, (schema, _) in written.items()}
    tool = {"name": "every_type", "description": "Takes every type.",
            "parameters": {"type": "object", "properties": properties, "required": ["an_int", "int_or_str"]}}
    exported = EXPORTERS["xlam"](tool)
    assert exported["parameters"]["int_or_str"]["type"] == "Union[int, str]"
    assert exported["parameters"]["grid"]["type"] == "List[List[float]], optional"
    path = tmp_path / "every_type.xlam.json"
    path.write_text(json.dumps([exported]))
    back = load_catalog([], sources=[{"format": "xlam", "path": str(path)}]).get("every_type")
    assert back.parameters["required"] == ["an_int", "int_or_str"]
    for name, (_, expected) in written.items():
        assert back.parameters["properties"][name] == {**expected, "description": f"The {name}."}, name
    assert EXPORTERS["xlam"](back.tool_schema()) == exported  # and the export is a fixed point


def test_python_union_parameters_survive_an_xlam_round_trip(tmp_path: Path):
    module = tmp_path / "unions.py"
    module.write_text('''from apigen.catalog import api


@api(category="Tools")
def lookup(key: int | str, keys: list[int | str], grid: list[list[float]], extra: dict | None = None) -> str:
    """Look up a key.

    Args:
        key: A numeric or named key.
        keys: More keys.
        grid: A grid of numbers.
        extra: Extra options.
    """
    return str(key)
''')
    original = load_catalog([str(module)]).get("lookup")
    path = tmp_path / "lookup.xlam.json"
    path.write_text(json.dumps([EXPORTERS["xlam"](original.tool_schema(), category=original.category)]))
    back = load_catalog([], sources=[{"format": "xlam", "path": str(path)}]).get("lookup")
    assert back.tool_schema() == original.tool_schema()
    assert back.category == "Tools"


@pytest.mark.parametrize("fmt,fixture,needles", [
    ("xlam", "xlam_bad_type.json", ["apply_callback", "parameters.callback.type", "Callable"]),
    ("openai", "openai_missing_description.json", ["lookup_order", "parameters.properties.order_id.description"]),
    ("bfcl", "bfcl_bad_required.json", ["find_restaurants", "parameters.required", "cuisine"]),
    ("openapi", "openapi_bad_param.json", ["getItem", "parameters[0].in", "cookie"]),
    ("openapi", "openapi_no_servers.yaml", ["servers"]),
])
def test_malformed_documents_name_the_entry_and_field(fmt: str, fixture: str, needles: list[str]):
    with pytest.raises(CatalogError) as err:
        load(fmt, fixture)
    for needle in needles:
        assert needle in str(err.value)
    assert fixture in str(err.value)


def test_openapi_operations_become_http_specs():
    cat = load("openapi", "petstore.yaml", allowed_hosts=["127.0.0.1"], category="Other")
    assert sorted(cat.names) == ["createPet", "getPet", "get_status", "listPets"]
    list_pets = cat.get("listPets")
    assert list_pets.executor.kind == "http" and list_pets.executor.function == "GET /pets"
    assert list_pets.executor.target == "http://127.0.0.1:PORT/v1"
    assert list_pets.parameters["properties"]["limit"]["maximum"] == 100  # resolved $ref
    assert list_pets.executor.options == {"params": {"species": "query", "limit": "query"}, "allowed_hosts": ["127.0.0.1"]}
    create = cat.get("createPet")
    assert create.category == "Commerce" and create.parameters["required"] == ["name", "species"]
    assert create.executor.options["params"]["age"] == "body"
    assert cat.get("getPet").parameters["required"] == ["petId"]
    assert cat.get("get_status").description == "Service health as plain text."


def test_schema_only_tools_are_reported_not_executable():
    spec = load("openai", "openai_tools.json").get("get_current_weather")
    result = asyncio.run(ExecutionService(SandboxPool(workers=1)).run(spec.executor, {"location": "Paris"}))
    assert not result.ok and result.code == "not_executable"


def test_paths_keep_working_next_to_sources():
    cat = load_catalog(["builtin:api_catalog/music.py"], sources=[{"format": "bfcl", "path": str(DATA / "bfcl_functions.json")}])
    assert cat.get("note_frequency") is not None and cat.get("math.hypot") is not None
    with pytest.raises(CatalogError, match=r"catalog.sources\[0\].format"):
        load_catalog([], sources=[{"format": "yaml", "path": "x"}])


def test_hydra_selects_category_files_overrides_and_sources():
    register_schemas()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        finance = compose("config", overrides=["catalog=finance"])
        assert list(finance.catalog.categories) == ["Finance"]
        picked = compose("config", overrides=["catalog.categories=[Finance,Travel]", "catalog.apis=[airport_info,validate_iban]"])
        cfg: Config = OmegaConf.to_object(picked)
        cat = load_catalog(cfg.catalog.paths, cfg.catalog.sources).select(cfg.catalog.categories, cfg.catalog.apis)
        assert sorted(cat.names) == ["airport_info", "validate_iban"]
        src = compose("config", overrides=["catalog=builtin", f"+catalog.sources=[{{format: xlam, path: {DATA / 'xlam_tools.json'}, category: Gaming}}]"])
        cfg = OmegaConf.to_object(src)
        cat = load_catalog(cfg.catalog.paths, cfg.catalog.sources)
        assert cat.get("live_giveaways_by_type").category == "Gaming" and len(cat) >= 253
        for name in ("builtin", "everyday", "stem", "money", "leisure", "music", "health"):
            composed = OmegaConf.to_object(compose("config", overrides=[f"catalog={name}"]))
            assert len(load_catalog(composed.catalog.paths).select(composed.catalog.categories)) >= 10


@pytest.mark.parametrize("source,function,problem", [
    ("def f():\n    pass\n", "f", None),
    ("try:\n    from math import sqrt as f\nexcept ImportError:\n    def f(x): return x\n", "f", None),
    ("if True:\n    f = len\n", "f", None),
    ("def setup():\n    global f\n    f = len\n", "f", None),  # bound when setup() runs
    ("from math import *\n", "f", None),  # could be anything: the call will tell
    ("globals()['f'] = len\n", "f", None),
    ("def __getattr__(name):\n    return len\n", "f", None),
    ("def g():\n    def f(): pass\n", "f", ("executor.function", "defines no 'f'")),
    ("class C:\n    def f(self): pass\n", "f", ("executor.function", "defines no 'f'")),
    ("def (:\n", "f", ("executor.target", "is not valid Python")),
])
def test_python_targets_of_json_specs_are_checked_without_running_them(tmp_path: Path, source, function, problem):
    from apigen.catalog.targets import target_problem

    target = tmp_path / "target.py"
    target.write_text("raise SystemExit('never run')\n" + source)  # parsed, never imported
    found = target_problem(target, function)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found[0] == problem[0] and problem[1] in found[1]
    assert target_problem(tmp_path / "nothere.py", "f") == ("executor.target", f"'{tmp_path / 'nothere.py'}' does not exist")


def test_a_json_spec_with_a_missing_python_function_fails_at_load(tmp_path: Path):
    (tmp_path / "real.py").write_text("def real(x: int) -> int:\n    return x\n")
    spec = {"name": "f", "description": "F.", "category": "Math", "parameters": {"type": "object", "properties": {}},
            "executor": {"kind": "python", "target": "real.py", "function": "imaginary"}}
    (tmp_path / "specs.json").write_text(json.dumps([spec]))
    with pytest.raises(CatalogError, match=r"specs.json: API 'f': field 'executor.function': .*real.py' defines no 'imaginary'"):
        load_catalog([str(tmp_path / "specs.json")])
    (tmp_path / "specs.json").write_text(json.dumps([{**spec, "executor": {**spec["executor"], "function": "real"}}]))
    assert load_catalog([str(tmp_path / "specs.json")]).get("f").executor.function == "real"


def test_an_api_names_its_extra_environment_variables(tmp_path):
    (tmp_path / "w.py").write_text("def weather() -> int:\n    return 1\n")
    entry = {"name": "weather", "description": "Weather now.", "category": "Weather",
             "executor": {"kind": "python", "target": "w.py", "function": "weather", "options": {"env": ["WEATHER_KEY"]}}}
    (tmp_path / "ok.json").write_text(json.dumps([entry]))
    assert load_catalog([str(tmp_path / "ok.json")]).get("weather").executor.options["env"] == ["WEATHER_KEY"]
    entry["executor"]["options"]["env"] = "WEATHER_KEY"
    (tmp_path / "bad.json").write_text(json.dumps([entry]))
    with pytest.raises(CatalogError, match=r"API 'weather': field 'executor.options.env': must be a list"):
        load_catalog([str(tmp_path / "bad.json")])
