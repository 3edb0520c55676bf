"""WeChat official account and WeCom channels."""
