import nbformat

from course_tools.refresh import WIDGET_VIEW, drop_widget_views, merge_streams


def stream(name, text):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_consecutive_chunks_of_one_stream_are_joined():
    outputs = [stream("stdout", "a\n"), stream("stdout", "b\n"), stream("stderr", "w\n"),
               nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
               stream("stdout", "c\n")]
    merged = merge_streams(outputs)
    assert [o.output_type for o in merged] == ["stream", "stream", "display_data", "stream"]
    assert merged[0].text == "a\nb\n" and merged[1].name == "stderr" and merged[3].text == "c\n"


def test_widget_views_leave_their_static_fallback_and_a_mark():
    widget = nbformat.v4.new_output(
        "execute_result",
        data={WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
              "image/png": "iVBOR", "text/plain": "Explorer: converges"},
    )
    plain = nbformat.v4.new_output("display_data", data={"text/plain": "x"})
    drop_widget_views([widget, plain])
    assert set(widget.data) == {"image/png", "text/plain"}
    assert widget.metadata["coursekit"] == {"live_widget": True}
    assert "coursekit" not in plain.get("metadata", {})
