using System.Text;

using Pingvas.Sdk;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>The SDK's Server-Sent Events framing, as the HTML standard's parser reads it.</summary>
public sealed class CSharpSdkSseTests
{
    private static async Task<List<ServerSentEvent>> ParseAsync(string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var events = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEventReader.ReadAsync(stream))
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task Events_are_framed_by_blank_lines_whatever_the_line_ending()
    {
        foreach (var newline in new[] { "\n", "\r\n", "\r" })
        {
            var text = string.Join(newline, "id: a1", "event: generation", "data: {\"n\":1}", "", "id: a2", "event: generation", "data: {\"n\":2}", "", "");
            var events = await ParseAsync(text);
            Assert.Equal([new("a1", "generation", "{\"n\":1}"), new("a2", "generation", "{\"n\":2}")], events);
        }
    }

    [Fact]
    public async Task Comments_are_skipped_data_lines_join_and_the_id_carries_over()
    {
        var events = await ParseAsync(
            ": keep-alive\n\n" +            // a comment alone dispatches nothing
            "id: c1\ndata: one\ndata:two\ndata\n\n" + // one space after the colon is dropped; a bare field is an empty value
            "data: {\"x\":1}\n\n" +         // no event type: "message"; the last id carries over
            "event: generation\n\n" +       // no data: nothing dispatched
            "id\ndata: reset\n\n" +         // an empty id resets it
            "retry: 10\nunknown: x\ndata: last\n\n" +
            "data: cut off by the end");    // never finished: dropped
        Assert.Equal(
            [new("c1", "message", "one\ntwo\n"), new("c1", "message", "{\"x\":1}"), new("", "message", "reset"), new("", "message", "last")],
            events);
    }

    [Fact]
    public async Task A_leading_byte_order_mark_and_spaces_in_values_are_handled()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("event: generation\ndata:   two spaces kept\n\n")).ToArray();
        using var stream = new MemoryStream(bytes);
        var events = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEventReader.ReadAsync(stream))
        {
            events.Add(e);
        }

        Assert.Equal(new ServerSentEvent(null, "generation", "  two spaces kept"), Assert.Single(events));
    }
}
