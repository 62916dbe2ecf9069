import nbformat

from coursekit.refresh import merge_streams


def stream(name, text):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_consecutive_chunks_of_one_stream_are_joined():
    outputs = [stream("stdout", "a\n"), stream("stdout", "b\n"), stream("stderr", "w\n"),
               nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
               stream("stdout", "c\n")]
    merged = merge_streams(outputs)
    assert [o.output_type for o in merged] == ["stream", "stream", "display_data", "stream"]
    assert merged[0].text == "a\nb\n" and merged[1].name == "stderr" and merged[3].text == "c\n"
