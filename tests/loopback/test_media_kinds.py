"""Media beyond images and PDF: audio, video and plain text on the Gemini route, input_audio
(WAV, MP3) on the OpenAI route; the emulator accepts and acknowledges each."""

from __future__ import annotations

import pytest

from comet import Call, Route
from comet.body.features import attach, check_upload, media_part, sniff
from comet.body.spelling import FormConflict
from comet.core.call import Attachment
from comet.core.errors import RequestError

FILES = {  # name -> (bytes, the type its content says)
    "a.wav": (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(32), "audio/wav"),
    "a.mp3": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(32), "audio/mp3"),
    "a.aiff": (b"FORM\x00\x00\x00\x20AIFFCOMM" + bytes(32), "audio/aiff"),
    "a.aac": (b"\xff\xf1\x50\x80" + bytes(32), "audio/aac"),
    "a.ogg": (b"OggS\x00\x02" + bytes(32), "audio/ogg"),
    "a.flac": (b"fLaC\x00\x00\x00\x22" + bytes(32), "audio/flac"),
    "a.mp4": (b"\x00\x00\x00\x18ftypmp42" + bytes(32), "video/mp4"),
    "a.mov": (b"\x00\x00\x00\x14ftypqt  " + bytes(32), "video/mov"),
    "a.webm": (b"\x1a\x45\xdf\xa3" + bytes(32), "video/webm"),
    "a.mpg": (b"\x00\x00\x01\xba" + bytes(32), "video/mpeg"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_each_kind_is_known_by_its_content(name):
    data, mime = FILES[name]
    assert sniff(data) == mime and check_upload(name, data, None) == (mime, None)


def test_plain_text_is_taken_when_it_says_so_and_is_text():
    assert check_upload("notes.txt", "héllo\n".encode(), "text/plain") == ("text/plain", None)
    assert check_upload("notes.txt", b"\xff\xfe\x00bin", None)[0] is None
    assert check_upload("notes.bin", b"plain words", None)[0] is None


def test_the_openai_route_takes_wav_and_mp3_as_input_audio_and_refuses_the_rest():
    wav = Attachment("a.wav", "audio/wav", FILES["a.wav"][0])
    assert media_part(Route.OPENAI, wav) == {"type": "input_audio",
                                              "input_audio": {"data": "<attachment:a.wav>", "format": "wav"}}
    mp3 = Attachment("a.mp3", "audio/mp3", FILES["a.mp3"][0])
    assert media_part(Route.OPENAI, mp3)["input_audio"]["format"] == "mp3"
    for name in ("a.mp4", "a.flac"):
        with pytest.raises(FormConflict, match="Chat Completions takes images, PDFs and WAV or MP3 audio"):
            media_part(Route.OPENAI, Attachment(name, FILES[name][1], FILES[name][0]))


@pytest.mark.parametrize("name", ["a.wav", "a.mp3", "a.flac", "a.mp4", "a.webm", "notes.txt"])
def test_the_gemini_route_sends_each_and_the_emulator_acknowledges_it(client, name):
    data, mime = FILES.get(name, (b"Meeting notes: ship on Friday.", "text/plain"))
    att = Attachment(name, mime, data)
    body = attach(Route.GEMINI, {"contents": [{"role": "user", "parts": [{"text": "What is this?"}]}]},
                  media_part(Route.GEMINI, att))
    ex = client.send(Call(Route.GEMINI, "gemini-2.5-flash", body, attachments=(att,)))
    assert ex.ok, ex.error
    assert f"({mime}, {len(data)} bytes)" in ex.text  # "I received an audio clip (audio/wav, 44 bytes)"


@pytest.mark.parametrize("name", ["a.wav", "a.mp3"])
def test_the_openai_route_sends_input_audio(client, name):
    data, mime = FILES[name]
    att = Attachment(name, mime, data)
    body = attach(Route.OPENAI, {"messages": [{"role": "user", "content": "Transcribe"}]}, media_part(Route.OPENAI, att))
    ex = client.send(Call(Route.OPENAI, "gemini-2.5-flash", body, attachments=(att,)))
    assert ex.ok, ex.error
    assert f"({mime}, {len(data)} bytes)" in ex.text


def test_a_video_on_the_openai_route_is_refused_before_sending(client):
    data, mime = FILES["a.mp4"]
    att = Attachment("a.mp4", mime, data)
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"},
                                                      {"type": "image_url", "image_url": {
                                                          "url": "data:video/mp4;base64,<attachment:a.mp4>"}}]}]}
    with pytest.raises(RequestError, match="Chat Completions takes no video/mp4 input"):
        client.send(Call(Route.OPENAI, "gemini-2.5-flash", body, attachments=(att,)))
