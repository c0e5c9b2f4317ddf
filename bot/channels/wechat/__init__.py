"""WeChat official-account (微信公众号) channel: protocol, crypto, reply-or-defer, customer-service messages.

Wired by ``bot.channels.wechat.setup.install_wechat`` from the app factory when ``WECHAT_TOKEN`` is set.
"""
