# practicebot as a service: `docker run -e SLACK_BOT_TOKEN=... -e SLACK_SIGNING_SECRET=... -p 3000:3000 -v practicebot-data:/data practicebot`
# (or -e DISCORD_TOKEN=...); `docker run -it -v practicebot-data:/data practicebot` practises in the console.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRACTICEBOT_DATABASE_URL=sqlite:////data/practicebot.db

RUN useradd --create-home --uid 10001 practicebot \
    && mkdir /data && chown practicebot /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY content ./content
COPY scheduler ./scheduler
COPY storage ./storage
COPY practicebot ./practicebot
RUN pip install . && practicebot content lint

USER practicebot
VOLUME ["/data"]
EXPOSE 3000
# /readyz answers 200 when the database does (within a second): Slack HTTP mode serves it beside
# /slack/events, Socket Mode and Discord-only runs on a small server of their own (PRACTICEBOT_HTTP_PORT).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PRACTICEBOT_HTTP_PORT', '3000') + '/readyz', timeout=2)"
CMD ["practicebot", "run"]
