using System.Text.Json;
using System.Text.Json.Serialization;

using Pingvas.Server.Generation;
using Pingvas.Server.Hosting;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Realtime;

/// <summary>
/// A generation event as an outbox message (topic <see cref="Topic"/>): a job's final state, with
/// its images and the owner's balance, stored with the transition that produced it.
/// </summary>
public sealed record GenerationEventMessage(Guid UserId, GenerationDto Generation)
{
    public const string Topic = "generation.event";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new UtcDateTimeConverter() },
    };

    public static string Serialize(Guid userId, GenerationDto generation) =>
        JsonSerializer.Serialize(new GenerationEventMessage(userId, generation), Options);

    public static GenerationEventMessage Deserialize(string payload) =>
        JsonSerializer.Deserialize<GenerationEventMessage>(payload, Options) ?? throw new JsonException("Empty generation event.");
}

/// <summary>Delivers terminal generation events from the outbox to the owner's connections on every API instance.</summary>
public sealed class GenerationEventHandler(IGenerationEvents events) : IOutboxHandler
{
    public string Topic => GenerationEventMessage.Topic;

    public Task DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        var (userId, generation) = GenerationEventMessage.Deserialize(message.Payload);
        return events.SendAsync(userId, generation, ct);
    }
}
