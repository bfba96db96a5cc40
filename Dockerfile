# Serves every muscle over streamable HTTP (`muscle serve --all`) on port 8700.
# Stateless: media live in S3, nothing is kept in the container; run replicas behind a load
# balancer. Required at run time: ATOMS_ENV, ATOMS_S3_* (staging and production refuse local
# storage) and ATOMS_AUTH_TOKENS (binding beyond loopback requires bearer tokens).
FROM python:3.11-slim

# Fonts: video_render draws overlay text with a font per character (fontconfig's fc-list and
# fc-match pick them): a sans default, CJK, and colour emoji.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg libsm6 libxext6 \
       fontconfig fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9

WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

COPY core ./core
COPY muscles ./muscles
COPY sentinel ./sentinel
COPY registry_sync ./registry_sync
COPY gateway ./gateway
COPY skills ./skills
RUN uv sync --frozen --no-dev

RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin atoms
USER atoms

ENV PATH=/app/.venv/bin:$PATH \
    ATOMS_HTTP_HOST=0.0.0.0 \
    ATOMS_HTTP_PORT=8700 \
    ATOMS_HTTP_STATELESS=true \
    ATOMS_DATA_DIR=/tmp/atoms
EXPOSE 8700
HEALTHCHECK --interval=30s --timeout=3s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8700/health/live', timeout=2)"]
CMD ["muscle", "serve", "--all"]
