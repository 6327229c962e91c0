namespace Pingvas.Server.Presets;

/// <summary>A user's named generation settings; <see cref="Settings"/> is the JSON of <c>PresetSettings</c>.</summary>
public sealed class Preset
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Name { get; set; }

    public required string Settings { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
