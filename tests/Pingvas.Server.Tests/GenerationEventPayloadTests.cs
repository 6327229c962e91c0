using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using Pingvas.Server.Generation;
using Pingvas.Server.Hosting;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Tests;

/// <summary>
/// The NOTIFY payload of a generation event never reaches PostgreSQL's 8000-byte limit: the full
/// event when it fits, without its preview when that is what makes it too big, else a reference.
/// </summary>
public sealed class GenerationEventPayloadTests
{
    private static readonly JsonSerializerOptions Hub = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new UtcDateTimeConverter() },
    };

    private static readonly Guid Owner = Guid.NewGuid();

    [Fact]
    public void A_step_with_a_small_preview_travels_whole()
    {
        var step = Dto() with { Preview = Preview(3_000), Balance = 42 };
        var payload = GenerationEventPayload.Encode(Owner, step, Hub);

        var notice = GenerationEventPayload.Decode(payload);
        Assert.Equal(Owner, notice.UserId);
        Assert.Equal(step.Id, notice.JobId);
        var generation = notice.Event!.Value;
        Assert.Equal(JsonSerializer.Serialize(step, Hub), generation.GetRawText());
        Assert.Equal(step.Preview, generation.GetProperty("preview").GetString());
        Assert.Equal(42, generation.GetProperty("balance").GetInt32());
    }

    [Fact]
    public void A_preview_too_big_is_dropped_and_the_step_still_travels()
    {
        var step = Dto() with { Preview = Preview(7_500) };
        var payload = GenerationEventPayload.Encode(Owner, step, Hub);

        Assert.True(Encoding.UTF8.GetByteCount(payload) <= GenerationEventPayload.Budget);
        var generation = GenerationEventPayload.Decode(payload).Event!.Value;
        Assert.Equal(JsonValueKind.Null, generation.GetProperty("preview").ValueKind);
        Assert.Equal(3, generation.GetProperty("progress").GetProperty("step").GetInt32());
    }

    [Fact]
    public void An_event_too_big_even_without_its_preview_travels_as_a_reference_with_the_balance()
    {
        // Two maximal prompts of three-byte characters: 12 KB of UTF-8 before anything else.
        var prompt = new string('灯', 2_000);
        var done = Dto() with { Prompt = prompt, NegativePrompt = prompt, Preview = Preview(5_000), Balance = 7 };
        var payload = GenerationEventPayload.Encode(Owner, done, Hub);

        Assert.True(Encoding.UTF8.GetByteCount(payload) < 8_000);
        var notice = GenerationEventPayload.Decode(payload);
        Assert.Null(notice.Event);
        Assert.Equal(Owner, notice.UserId);
        Assert.Equal(done.Id, notice.JobId);
        Assert.Equal(7, notice.Balance);
    }

    private static GenerationDto Dto() => new(
        Guid.NewGuid(), "running", "sd-1.5", "a lighthouse at dusk", null, 512, 512, 25, 7, "euler", 7, 1, null,
        new ProgressDto(3, 25, 12), [], null, 10, null, null, null, DateTime.UtcNow, DateTime.UtcNow, null);

    private static string Preview(int bytes) => "data:image/webp;base64," + Convert.ToBase64String(new byte[bytes * 3 / 4]);
}
