# practicebot as a service. `docker run -e SLACK_BOT_TOKEN=... -v practicebot-data:/data practicebot`
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
RUN pip install . && practicebot content lint

USER practicebot
VOLUME ["/data"]
EXPOSE 3000
CMD ["practicebot", "run"]
