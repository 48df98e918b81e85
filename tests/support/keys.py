"""The keys tests use: a canary that must never show anywhere, and the shared client's key."""

CANARY_KEY = "sk-canary-7f3c9e21-do-not-leak"
TEST_KEY = "sk-test"
