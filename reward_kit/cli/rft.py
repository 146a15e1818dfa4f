"""``reward-kit rft``: reinforcement fine-tuning jobs that call a deployed evaluator."""

from __future__ import annotations

import argparse
import json
from typing import Any

from reward_kit.cli._flags import (
    non_negative_float,
    positive_float,
    positive_int,
    probability,
)
from reward_kit.cli._service_flags import add_service_flags

_TRAINING = {
    "output_model": ("outputModel", str),
    "epochs": ("epochs", positive_int),
    "learning_rate": ("learningRate", positive_float),
    "lora_rank": ("loraRank", positive_int),
    "max_context_length": ("maxContextLength", positive_int),
    "batch_size": ("batchSize", positive_int),
}
_INFERENCE = {
    "temperature": ("temperature", non_negative_float),
    "top_p": ("topP", probability),
    "max_output_tokens": ("maxOutputTokens", positive_int),
    "response_candidates": ("responseCandidatesCount", positive_int),
}
_JOBS = "reinforcementFineTuningJobs"


def job_id(text: str) -> str:
    """A job id, or the job's resource name (``accounts/A/reinforcementFineTuningJobs/ID``)."""
    from reward_kit._resource_ids import EVALUATOR_ID

    parts = text.split("/")
    if len(parts) == 4 and parts[0] == "accounts" and parts[2] == _JOBS:
        text = parts[3]
    if not EVALUATOR_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"a job id is 1-63 lower-case letters, digits or '-' (or accounts/ACCOUNT/{_JOBS}/ID), "
            f"got {text!r}"
        )
    return text


def register(subparsers: Any) -> None:
    """Add the ``rft`` command and its ``create``, ``get`` and ``list`` actions."""
    parser = subparsers.add_parser(
        "rft",
        help="create and inspect reinforcement fine-tuning jobs",
        description="Reinforcement fine-tuning (RFT) jobs on Fireworks that score rollouts "
        "with a deployed evaluator.",
    )
    add_service_flags(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an RFT job")
    add_service_flags(create, on_action=True)
    create.add_argument("--evaluator", required=True, help="evaluator id or resource name")
    create.add_argument("--dataset", required=True, help="dataset id or resource name")
    create.add_argument("--base-model", required=True, help="model to train")
    create.add_argument("--job-id", type=job_id, help="job id (default: chosen by the service)")
    create.add_argument("--display-name", help="shown name of the job")
    create.add_argument("--evaluation-dataset", help="separate dataset to evaluate on")
    for flag, (field, kind) in _TRAINING.items():
        create.add_argument(
            f"--{flag.replace('_', '-')}", type=kind, help=f"trainingConfig.{field} of the job"
        )
    for flag, (field, kind) in _INFERENCE.items():
        create.add_argument(
            f"--{flag.replace('_', '-')}", type=kind, help=f"inferenceParameters.{field} of the job"
        )
    get = actions.add_parser("get", help="show one RFT job")
    add_service_flags(get, on_action=True)
    get.add_argument("job_id", type=job_id)
    listing = actions.add_parser("list", help="list RFT jobs")
    add_service_flags(listing, on_action=True)
    parser.set_defaults(handler=run)


def _resource(kind: str, value: str, account: str) -> str:
    return value if value.startswith("accounts/") else f"accounts/{account}/{kind}/{value}"


def job_body(args: argparse.Namespace, account: str) -> dict[str, Any]:
    """The create request of Fireworks' ``reinforcementFineTuningJobs`` for the arguments."""
    training: dict[str, Any] = {"baseModel": args.base_model}
    training.update(
        {field: getattr(args, flag) for flag, (field, _) in _TRAINING.items()
         if getattr(args, flag) is not None}
    )  # fmt: skip
    body: dict[str, Any] = {
        "dataset": _resource("datasets", args.dataset, account),
        "evaluator": _resource("evaluators", args.evaluator, account),
        "trainingConfig": training,
    }
    inference = {
        field: getattr(args, flag)
        for flag, (field, _) in _INFERENCE.items()
        if getattr(args, flag) is not None
    }
    if inference:
        body["inferenceParameters"] = inference
    if args.display_name:
        body["displayName"] = args.display_name
    if args.evaluation_dataset:
        body["evaluationDataset"] = _resource("datasets", args.evaluation_dataset, account)
    return body


def run(args: argparse.Namespace) -> int:
    """Carry out the action and print the job(s) as JSON."""
    from reward_kit.deploy import FireworksClient, load_credentials

    credentials = load_credentials(api_base=args.api_base, account_id=args.account_id)
    with FireworksClient(credentials) as client:
        if args.action == "create":
            job = client.create_rft_job(job_body(args, credentials.account_id), args.job_id)
            print(json.dumps(job, indent=2))
        elif args.action == "get":
            print(json.dumps(client.get_rft_job(args.job_id), indent=2))
        else:
            for job in client.list_rft_jobs():
                print(f"{job.get('name')}\t{job.get('state')}\t{job.get('evaluator')}")
    return 0
