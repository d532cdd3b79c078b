"""Two small engine use cases the Discord adapter needs: withdrawing a deleted reply known only by its id
(Discord's MESSAGE_DELETE names no author) and marking a channel that no longer exists inactive."""

from __future__ import annotations

from conftest import CHANNEL, Transcript, text_of

from bot.events import AnswerDeleted


async def test_a_reply_deleted_by_id_only_is_withdrawn(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "canary with a small percentage and rollback")
    await transcript.say("carol", "compare metrics")
    assert transcript.thread is not None
    bob_message = transcript.chat.thread_history[transcript.thread.message_id][0].message_id
    assert bob_message is not None

    assert await transcript.engine.dispatch(AnswerDeleted(transcript.thread, bob_message, None)) is True
    assert (
        await transcript.engine.dispatch(AnswerDeleted(transcript.thread, bob_message, None)) is False
    )  # already gone
    assert await transcript.engine.dispatch(AnswerDeleted(transcript.thread, "never-seen", None)) is False

    transcript.chat.thread_history.clear()  # the platform no longer has the deleted reply either
    await transcript.say("alice", "/practice reveal")
    [reveal] = transcript.delivered("thread:")
    assert "Answers (1)" in text_of(reveal) and "Bob" not in text_of(reveal)


async def test_a_channel_that_is_gone_is_no_longer_active(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice schedule set 09:00")
    assert (await transcript.engine.channel_settings(CHANNEL)).active is True
    await transcript.engine.deactivate_channel(CHANNEL)
    settings = await transcript.engine.channel_settings(CHANNEL)
    assert settings.active is False and settings.schedule_enabled is True  # the rest is kept
    with transcript.engine.uow() as store:
        assert store.scheduled_channels() == []
