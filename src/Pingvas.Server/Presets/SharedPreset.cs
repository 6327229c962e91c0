namespace Pingvas.Server.Presets;

/// <summary>An admin-published preset, shown to the plans in <see cref="PlanIds"/> (comma-separated); optionally a model's default.</summary>
public sealed class SharedPreset
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Settings { get; set; }

    public required string PlanIds { get; set; }

    /// <summary>The model this preset is the default for (at most one per model), or null.</summary>
    public string? DefaultForModel { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
