"""Delivery: the durable outbox, pacing per messenger and the one worker that sends (owned by :mod:`bot.app`)."""

from bot.delivery.outbox import Outbox, decode_reply, encode_reply
from bot.delivery.pacing import ChatPacer, TokenBucket
from bot.delivery.worker import DeliveryWorker

__all__ = ["ChatPacer", "DeliveryWorker", "Outbox", "TokenBucket", "decode_reply", "encode_reply"]
