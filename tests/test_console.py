"""The terminal front plays a resident and a moderator through the same flows and database."""

from __future__ import annotations

import asyncio
import io

from bot.app import App
from bot.fronts.console import ConsoleFront, console_settings


async def test_console_resident_and_moderator(make_settings) -> None:
    app = await App.create(console_settings(make_settings(telegram_bot_token=None, report_cooldown_seconds=0)))
    out = io.StringIO()
    front = ConsoleFront(app, out=out)
    await app.start_fronts([front])

    async def delivered(text: str) -> None:
        """Wait for the outbox (moderator cards, notices) to deliver, by condition rather than by a fixed sleep."""
        for _ in range(500):
            if text in out.getvalue():
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"never shown: {text!r}\n{out.getvalue()}")

    try:
        for line in ["/start", "1", "/reportar", "1", "loc 41.8565 -87.665", "1", "2", "3", "1",
                     "<b>dos</b> camionetas", "1"]:
            assert await front.handle_line(line)
        await delivered("Reporte #1")
        text = out.getvalue()
        assert "Recibimos su reporte #1" in text
        assert "📨 (mensaje para moderador)" in text and "Reporte #1" in text
        assert "<b>dos</b> camionetas" in text  # shown literally, as typed (the terminal shows no HTML)
        await front.handle_line("/as moderador")
        await front.handle_line("1")  # ✅ Confirmar on the card delivered to the moderator
        await delivered("Los moderadores confirmaron su reporte #1")
        text = out.getvalue()
        assert "Confirmado por M-" in text
        assert "📨 (mensaje para vecino)" in text and "Los moderadores confirmaron su reporte #1" in text
        await front.handle_line("/as vecino")
        await front.handle_line("99")
        assert "No hay un botón con el número 99" in out.getvalue()
        assert not await front.handle_line("/quit")
    finally:
        await app.close()
