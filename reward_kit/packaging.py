"""Container packaging by reward-kit's documented names (``from reward_kit.packaging import ...``).

A thin face over the ``gcp-cloud-run`` target of :mod:`reward_kit.deploy`: the same build
context (the evaluator's code without secrets, a copy of this reward-kit, a Dockerfile running
``reward-kit serve``) and the same Dockerfile. Build it with
:func:`reward_kit.gcp_tools.build_and_push_docker_image`.

Example:
    >>> context = create_build_context("my_rewards.exact", "build/")  # doctest: +SKIP
    >>> dockerfile = generate_dockerfile_content("my_rewards.exact")  # doctest: +SKIP
"""

from __future__ import annotations

import shlex
import warnings
from pathlib import Path

from reward_kit.deploy._cloud_run import dockerfile, write_context
from reward_kit.deploy._package import Package, PackagingError, build_package

__all__ = [
    "DEFAULT_PYTHON_VERSION",
    "PackagingError",
    "create_build_context",
    "generate_dockerfile_content",
]

DEFAULT_PYTHON_VERSION = "3.10"
"""The Python of the image's base (``python:<version>-slim``)."""
_METRIC = "code"  # the folder's name inside the context: evaluator/code/...
_THIS_REWARD_KIT = (None, "", ".", "reward-kit", "reward_kit")


def _entry(function_ref: str, folder: Path) -> str:
    """``file.py:function`` inside ``folder`` for ``function_ref``.

    Accepted: ``module.fn``, ``package.module.fn``, ``module:fn`` and ``path/file.py:fn``.
    """
    if ":" in function_ref:
        module, _, function = function_ref.rpartition(":")
        if not module.endswith(".py"):
            module = module.replace(".", "/") + ".py"
    else:
        module, _, function = function_ref.rpartition(".")
        module = module.replace(".", "/") + ".py"
    if not function or module == ".py":
        raise PackagingError(
            f"function reference {function_ref!r}: expected module.function, "
            "package.module.function or path/file.py:function"
        )
    package_init = Path(module[: -len(".py")], "__init__.py")
    if not (folder / module).is_file() and (folder / package_init).is_file():
        module = package_init.as_posix()
    if not (folder / module).is_file():
        raise PackagingError(
            f"function reference {function_ref!r}: {folder / module} does not exist (the "
            "module is looked up in the source folder, by default the working directory)"
        )
    return f"{module}:{function}"


def _package(function_ref: str, source_dir: str | Path) -> Package:
    folder = Path(source_dir).expanduser().resolve()
    return build_package({_METRIC: folder}, entry=_entry(function_ref, folder))


def generate_dockerfile_content(
    function_ref: str,
    python_version: str = DEFAULT_PYTHON_VERSION,
    reward_kit_install_source: str | None = None,
    user_requirements_path: str | None = None,
    inline_requirements_content: str | None = None,
    service_port: int = 8080,
    *,
    source_dir: str | Path = ".",
    api_key: bool = True,
) -> str:
    """The Dockerfile of a container serving ``function_ref`` with ``reward-kit serve``.

    It builds the context written by :func:`create_build_context` (the same arguments give
    the same Dockerfile as the one written there).

    Args:
        function_ref: ``module.function`` (or ``package.module.function``, ``module:function``,
            ``path/file.py:function``), found in ``source_dir``.
        python_version: Python of the base image.
        reward_kit_install_source: Accepted for compatibility. The image always runs the copy
            of this reward-kit placed in the context (``reward-kit`` on PyPI is Fireworks'
            package); any other value warns.
        user_requirements_path: A requirements file inside ``source_dir``, installed on top of
            the folder's ``requirements.txt`` and the decorator's ``requirements=``.
        inline_requirements_content: requirements.txt text installed as well.
        service_port: Default of ``$PORT``, where the server listens (Cloud Run sets it).
        source_dir: Folder holding the module (default: the working directory).
        api_key: The server requires the key in ``$RK_ENDPOINT_API_KEY`` (mount it from
            Secret Manager); False for a service protected by IAM instead.

    Raises:
        PackagingError: the module is not in ``source_dir``, or a requirements file is missing.
    """
    if reward_kit_install_source not in _THIS_REWARD_KIT:
        warnings.warn(
            f"reward_kit_install_source={reward_kit_install_source!r} is ignored: the image "
            "runs the copy of this reward-kit placed in the build context",
            UserWarning,
            stacklevel=2,
        )
    package = _package(function_ref, source_dir)
    extra = []
    if user_requirements_path:
        name = f"{_METRIC}/{Path(user_requirements_path).as_posix()}"
        if name not in package.files:
            raise PackagingError(
                f"user_requirements_path {user_requirements_path!r} is not a file of "
                f"{Path(source_dir).resolve()} that is packaged"
            )
        extra.append(f"RUN pip install --no-cache-dir -r /app/evaluator/{name}")
    lines = [
        line.split(" #", 1)[0].strip() for line in (inline_requirements_content or "").splitlines()
    ]
    requirements = [line for line in lines if line and not line.startswith("#")]
    if requirements:
        quoted = " ".join(shlex.quote(requirement) for requirement in requirements)
        extra.append(f"RUN pip install --no-cache-dir {quoted}")
    text = dockerfile(package.entries, api_key, python_version=python_version, port=service_port)
    if not extra:
        return text
    anchor = "COPY evaluator /app/evaluator\n"  # the code is in place, still root
    return text.replace(anchor, anchor + "".join(f"{line}\n" for line in extra), 1)


def create_build_context(
    function_ref: str,
    output_dir: str | Path,
    *,
    source_dir: str | Path = ".",
    python_version: str = DEFAULT_PYTHON_VERSION,
    user_requirements_path: str | None = None,
    inline_requirements_content: str | None = None,
    service_port: int = 8080,
    api_key: bool = True,
) -> Path:
    """Write the build context of ``function_ref`` to ``output_dir`` (which must be empty).

    ``evaluator/code/`` holds ``source_dir`` as ``reward-kit deploy`` packages it (no ``.env``,
    keys, ``.gitignore``d files, caches or virtual environments), ``reward_kit/`` a copy of this
    reward-kit, and ``Dockerfile`` the output of :func:`generate_dockerfile_content`.

    Returns:
        The context folder.

    Raises:
        PackagingError: as :func:`generate_dockerfile_content`.
        reward_kit.deploy.DeployError: ``output_dir`` is not empty.
    """
    content = generate_dockerfile_content(
        function_ref,
        python_version,
        None,
        user_requirements_path,
        inline_requirements_content,
        service_port,
        source_dir=source_dir,
        api_key=api_key,
    )
    context = Path(output_dir).expanduser().resolve()
    write_context(_package(function_ref, source_dir), context, api_key)
    (context / "Dockerfile").write_text(content)
    return context
