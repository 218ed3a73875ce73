# contract-checker as a container: the CLI is the entry point, rule files and facts are mounted.
#
#   docker build -t contract-checker .
#   docker run --rm -v "$PWD:/work" contract-checker validate rules/
#   docker run --rm -v "$PWD:/work" contract-checker run --rules rules/ --facts exports/ \
#       --report html:out/report.html --report junit:out/junit.xml --report ics:out/deadlines.ics
#
# The files it writes belong to the image's user (uid 10001); to write them as yourself, add
# --user "$(id -u):$(id -g)".
ARG PYTHON_VERSION=3.13

# Builder: gcc compiles durable_rules (source only); the wheels go into a venv copied below.
FROM python:${PYTHON_VERSION}-slim AS builder
# The compiler follows the base image's Debian release; pinning it would break on its updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
# durable_rules 2.0.28 calls PyEval_CallObject, which Python 3.13 removed; its setup.py overwrites
# CFLAGS, but CPPFLAGS reaches the compiler (see the Makefile).
ENV CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY checker/ checker/
RUN pip wheel --wheel-dir /wheels . \
    && python -m venv /opt/contract-checker \
    && /opt/contract-checker/bin/pip install --no-index --find-links /wheels contract-checker \
    && /opt/contract-checker/bin/python -c "import durable.lang" \
    && /opt/contract-checker/bin/contract-checker --version

# Runtime: the same Python without a compiler, the venv, and an unprivileged user.
FROM python:${PYTHON_VERSION}-slim
RUN groupadd --system --gid 10001 checker \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin checker
COPY --from=builder /opt/contract-checker /opt/contract-checker
ENV PATH=/opt/contract-checker/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8
WORKDIR /work
USER 10001:10001
ENTRYPOINT ["contract-checker"]
CMD ["--help"]
