import unittest

from pingvas._sse import SseParser, parse_lines


class SseParserTests(unittest.TestCase):
    def test_reads_id_event_and_data_and_dispatches_on_a_blank_line(self):
        events = list(parse_lines(["id: c1\n", "event: generation\n", 'data: {"a":1}\n', "\n"]))
        self.assertEqual(len(events), 1)
        self.assertEqual((events[0].id, events[0].event, events[0].data), ("c1", "generation", '{"a":1}'))

    def test_comments_are_skipped_and_keep_alives_make_no_event(self):
        events = list(parse_lines([": keep-alive\n", "\n", "data: x\n", ": between\n", "\n"]))
        self.assertEqual([e.data for e in events], ["x"])

    def test_several_data_lines_are_joined_with_newlines(self):
        events = list(parse_lines(["data: one\n", "data:two\n", "data:  three\n", "\n"]))
        # One leading space is part of the field syntax; a second one is data.
        self.assertEqual(events[0].data, "one\ntwo\n three")

    def test_crlf_line_endings_and_default_event_name(self):
        events = list(parse_lines(["data: x\r\n", "\r\n"]))
        self.assertEqual((events[0].event, events[0].data), ("message", "x"))

    def test_the_last_id_carries_to_later_events_and_to_a_resume(self):
        parser = SseParser()
        events = list(parse_lines(["id: 7\n", "data: a\n", "\n", "data: b\n", "\n", "id\n", "data: c\n", "\n"], parser))
        self.assertEqual([e.id for e in events], ["7", "7", ""])
        self.assertEqual(parser.last_event_id, "")

    def test_an_id_with_a_null_is_ignored(self):
        parser = SseParser()
        list(parse_lines(["id: ok\n", "\n", "id: bad\0\n", "\n"], parser))
        self.assertEqual(parser.last_event_id, "ok")

    def test_an_event_cut_off_by_the_end_of_the_stream_is_dropped(self):
        events = list(parse_lines(["data: done\n", "\n", "id: 9\n", "data: partial\n"]))
        self.assertEqual([e.data for e in events], ["done"])

    def test_an_event_without_data_is_not_dispatched_but_its_id_is_kept(self):
        parser = SseParser()
        events = list(parse_lines(["id: 3\n", "event: generation\n", "\n"], parser))
        self.assertEqual(events, [])
        self.assertEqual(parser.last_event_id, "3")

    def test_retry_and_unknown_fields_are_ignored(self):
        events = list(parse_lines(["retry: 1000\n", "foo: bar\n", "data: x\n", "\n"]))
        self.assertEqual([e.data for e in events], ["x"])


if __name__ == "__main__":
    unittest.main()
