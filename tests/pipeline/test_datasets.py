"""Datasets: sources, column mapping, prompt building, stable ids, and bad rows."""

from __future__ import annotations

import csv

import pytest

from reward_kit.pipeline.config import BadRowPolicy, DatasetConfig, SourceType
from reward_kit.pipeline.datasets import DatasetError, content_id, load_samples
from reward_kit.pipeline.transforms import gsm8k_final_answer
from tests.pipeline.conftest import write_jsonl


def _config(path, **fields):
    return DatasetConfig(source_type=SourceType.jsonl, path_or_name=str(path), **fields)


def test_column_mapping_and_extra_columns(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"question": "2+2?", "answer": "4", "level": 1},
            {"question": "3+3?", "answer": "6", "level": 2},
        ],
    )
    config = _config(path, column_mapping={"user_query": "question", "ground_truth": "answer"})

    samples = load_samples(config).samples

    assert samples[0].messages == [{"role": "user", "content": "2+2?"}]
    assert samples[0].ground_truth == "4" and samples[0].extra == {"level": 1}
    assert samples[1].row_number == 2


def test_ids_are_content_hashes_stable_across_loads_and_distinct_for_copies(tmp_path):
    rows = [{"user_query": "a"}, {"user_query": "b"}, {"user_query": "a"}]
    path = write_jsonl(tmp_path / "d.jsonl", rows)

    first = [sample.id for sample in load_samples(_config(path)).samples]
    again = [sample.id for sample in load_samples(_config(path)).samples]

    assert first == again
    assert first[0] == content_id({"user_query": "a"}) and first[0].startswith("h-")
    assert first[2] == f"{first[0]}~2"
    assert len(set(first)) == 3


def test_id_column_and_duplicate_ids(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"key": 7, "user_query": "a"},
            {"key": 8, "user_query": "b"},
            {"key": 7, "user_query": "c"},
        ],
    )
    with pytest.raises(DatasetError, match=r"row 3, column 'key': id '7' already used by row 1"):
        load_samples(_config(path, id_column="key"))
    loaded = load_samples(_config(path, id_column="key", on_bad_row=BadRowPolicy.skip))
    assert [sample.id for sample in loaded.samples] == ["7", "8"]
    assert loaded.samples[0].extra == {}
    assert len(loaded.skipped) == 1


def test_system_prompt_template_and_few_shot(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"a": 2, "b": 3, "ground_truth": "5"}])
    config = _config(
        path,
        system_prompt="Be brief.",
        prompt_template="What is {{ a }} + {{ b }}?",
        few_shot_examples=[{"user": "What is 1 + 1?", "assistant": "2"}],
    )

    sample = load_samples(config).samples[0]

    assert sample.messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 1 + 1?"},
        {"role": "assistant", "content": "2"},
        {"role": "user", "content": "What is 2 + 3?"},
    ]


def test_run_level_system_prompt_replaces_the_rows(tmp_path):
    messages = [{"role": "system", "content": "old"}, {"role": "user", "content": "hi"}]
    path = write_jsonl(tmp_path / "d.jsonl", [{"messages": messages}])
    sample = load_samples(_config(path, system_prompt="dataset"), system_prompt="run").samples[0]
    assert sample.messages[0] == {"role": "system", "content": "run"}
    assert len(sample.messages) == 2


def test_template_naming_a_missing_column_is_a_bad_row(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"a": 1}])
    with pytest.raises(
        DatasetError, match=r"row 1, column '\*': prompt_template: 'b' is undefined"
    ):
        load_samples(_config(path, prompt_template="{{ a }} {{ b }}"))


def test_responses_for_scoring_without_generation(tmp_path):
    rows = [
        {"user_query": "q", "response": "r"},
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "r"}]},
        {"user_query": "unanswered"},
    ]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    config = _config(path, on_bad_row=BadRowPolicy.skip)

    loaded = load_samples(config, needs_response=True)

    assert [sample.messages[-1] for sample in loaded.samples] == [
        {"role": "assistant", "content": "r"}
    ] * 2
    assert "row 3, column 'messages'" in str(loaded.skipped[0])
    generating = load_samples(config).samples
    assert all(sample.messages[-1]["role"] == "user" for sample in generating)


def test_invalid_messages_and_wrong_types_name_row_and_column(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"user_query": "fine"},
            {"messages": [{"role": "robot", "content": "x"}]},
        ],
    )
    with pytest.raises(DatasetError, match=r"row 2, column 'messages': messages\[0\]\.role"):
        load_samples(_config(path))
    path = write_jsonl(tmp_path / "t.jsonl", [{"user_query": "q", "tools": "get_weather"}])
    with pytest.raises(DatasetError, match=r"row 1, column 'tools'"):
        load_samples(_config(path))


def test_a_mapped_column_missing_from_the_rows(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"question": "q"}])
    with pytest.raises(DatasetError, match=r"row 1, column 'prompt': mapped column is missing"):
        load_samples(_config(path, column_mapping={"user_query": "prompt"}))


def test_csv_and_parquet_sources_and_limits(tmp_path):
    path = tmp_path / "d.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_query", "ground_truth"])
        writer.writerows([[f"q{i}", str(i)] for i in range(5)])
    config = DatasetConfig(source_type=SourceType.csv, path_or_name=str(path), max_samples=4)
    assert len(load_samples(config, limit=3).samples) == 3
    assert len(load_samples(config).samples) == 4

    import datasets

    parquet = tmp_path / "d.parquet"
    datasets.Dataset.from_list([{"user_query": "p", "ground_truth": 1}]).to_parquet(str(parquet))
    loaded = load_samples(DatasetConfig(source_type=SourceType.parquet, path_or_name=str(parquet)))
    assert loaded.samples[0].ground_truth == 1


def test_relative_paths_are_found_next_to_the_config(tmp_path, monkeypatch):
    (tmp_path / "conf").mkdir()
    write_jsonl(tmp_path / "data.jsonl", [{"user_query": "q"}])
    monkeypatch.chdir(tmp_path / "conf")
    config = DatasetConfig(source_type=SourceType.jsonl, path_or_name="../data.jsonl")
    assert len(load_samples(config, base_dir=tmp_path / "conf").samples) == 1
    with pytest.raises(DatasetError, match="not found"):
        load_samples(DatasetConfig(path_or_name="nowhere.jsonl"), base_dir=tmp_path)


def test_transformations_run_after_the_mapping(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"question": "q", "answer": "3 * 400 = 1,200\n#### 1,200"},
            {"question": "q2", "answer": "no final line"},
        ],
    )
    config = _config(
        path,
        column_mapping={"user_query": "question", "ground_truth": "answer"},
        transformations=["reward_kit.pipeline.transforms:gsm8k_final_answer"],
        on_bad_row=BadRowPolicy.skip,
    )
    loaded = load_samples(config)
    assert loaded.samples[0].ground_truth == "1200"
    assert "gsm8k_final_answer failed" in loaded.skipped[0].problem


def test_gsm8k_final_answer():
    assert gsm8k_final_answer({"ground_truth": "work\n#### 72"})["ground_truth"] == "72"
    with pytest.raises(ValueError, match="####"):
        gsm8k_final_answer({"ground_truth": 72})


def test_a_jsonl_line_that_is_not_json_is_a_bad_row_with_its_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"user_query": "q", "x": 1}\n\n{"user_query": "r", "x": "two"}\nnot json\n[1]\n'
    )
    with pytest.raises(DatasetError, match=r"row 3, column '\*': .*d\.jsonl, line 4: not JSON"):
        load_samples(_config(path))
    loaded = load_samples(_config(path, on_bad_row=BadRowPolicy.skip))
    assert [sample.extra["x"] for sample in loaded.samples] == [1, "two"]
    assert "line 5: not a JSON object" in str(loaded.skipped[1])


def test_jsonl_data_files_by_split_and_glob(tmp_path):
    write_jsonl(tmp_path / "train-1.jsonl", [{"user_query": "a"}])
    write_jsonl(tmp_path / "train-2.jsonl", [{"user_query": "b"}])
    write_jsonl(tmp_path / "test.jsonl", [{"user_query": "c"}])
    files = {"train": str(tmp_path / "train-*.jsonl"), "test": str(tmp_path / "test.jsonl")}
    config = DatasetConfig(path_or_name="local", data_files=files, split="train")
    assert [s.messages[0]["content"] for s in load_samples(config).samples] == ["a", "b"]
    with pytest.raises(DatasetError, match="no split 'dev'"):
        load_samples(DatasetConfig(path_or_name="local", data_files=files, split="dev"))


def test_a_file_the_datasets_library_cannot_read_is_a_clear_error(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"user_query": "q"')
    with pytest.raises(DatasetError, match=r"cannot load dataset .*\(json\)"):
        load_samples(DatasetConfig(source_type=SourceType.json, path_or_name=str(path)))


def test_bytes_that_are_not_utf8_or_json_too_deep_are_bad_rows_with_their_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"user_query": "first line after a byte order mark"}\n'
        b'{"user_query": "caf\xe9"}\n'
        + b"[" * 100_000
        + b"]" * 100_000
        + b'\n{"user_query": "r"}\n'
    )
    with pytest.raises(DatasetError, match=r"row 2, column '\*': .*d\.jsonl, line 2: not UTF-8 "):
        load_samples(_config(path))
    loaded = load_samples(_config(path, on_bad_row=BadRowPolicy.skip))
    assert [sample.messages[-1]["content"] for sample in loaded.samples] == [
        "first line after a byte order mark",
        "r",
    ]
    assert "line 2: not UTF-8 (byte 20 is 0xe9)" in str(loaded.skipped[0])
    assert "line 3: JSON nested too deeply to read" in str(loaded.skipped[1])


def test_a_folder_or_unreadable_file_as_dataset_is_a_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match=r"is a folder, not a JSONL file"):
        load_samples(_config(tmp_path))
