using System.Text.Json;
using System.Text.Json.Serialization;

using Pingvas.Core.Gallery;
using Pingvas.Core.Generation;
using Pingvas.Core.Plans;
using Pingvas.Server.Catalog;

namespace Pingvas.Server.Presets;

/// <summary>The generation settings a preset fills the form with; every field is optional (absent: the form keeps its own).</summary>
public sealed record PresetSettings(
    string? Model = null,
    int? Width = null,
    int? Height = null,
    int? Steps = null,
    double? CfgScale = null,
    string? Scheduler = null,
    string? NegativePrompt = null,
    IReadOnlyList<string>? Tags = null)
{
    // Stored without the absent fields: compact, and the audit log shows only what a preset sets.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    // No plan limits apply: a preset outlives a plan change, and the submit checks them anyway.
    private static readonly PlanEntitlements AnyPlan = new("any", int.MaxValue, 0, null, null, int.MaxValue, int.MaxValue);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PresetSettings FromJson(string json) => JsonSerializer.Deserialize<PresetSettings>(json, Json) ?? new PresetSettings();

    /// <summary>
    /// The settings as stored (tags normalised, a blank negative prompt dropped), or the field errors.
    /// Each sent field is checked by the submit's own rules (<see cref="GenerationRequestRules"/>) and
    /// tags by <see cref="GalleryText.Tags"/>; a model must be an enabled one of the catalogue.
    /// </summary>
    public static (PresetSettings? Settings, Dictionary<string, string[]> Errors) Check(PresetSettings? raw, CatalogSnapshot catalog)
    {
        var s = raw ?? new PresetSettings();
        var found = s.Model is null ? null : catalog.EnabledModel(s.Model);
        var probe = new GenerationParameters(
            "preset", s.NegativePrompt, s.Model ?? "", s.Width ?? 512, s.Height ?? 512, s.Steps ?? 25, s.CfgScale ?? 7, s.Scheduler ?? "euler", 1);
        var sent = new HashSet<string>(StringComparer.Ordinal);
        AddIf(sent, "model", s.Model);
        AddIf(sent, "width", s.Width);
        AddIf(sent, "height", s.Height);
        AddIf(sent, "steps", s.Steps);
        AddIf(sent, "cfgScale", s.CfgScale);
        AddIf(sent, "scheduler", s.Scheduler);
        AddIf(sent, "negativePrompt", s.NegativePrompt);
        var errors = GenerationRequestRules.Check(probe, found is { } f ? f.Model.ToProfile(f.MinPlanRank) : null, AnyPlan)
            .Where(v => v.Kind == RuleViolationKind.Invalid && sent.Contains(v.Field))
            .GroupBy(v => v.Field)
            .ToDictionary(g => $"settings.{g.Key}", g => g.Select(v => v.Message).ToArray());

        var tags = GalleryText.Tags(s.Tags, out var tagError);
        if (tagError is not null)
        {
            errors["settings.tags"] = [tagError];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (s with
        {
            NegativePrompt = string.IsNullOrWhiteSpace(s.NegativePrompt) ? null : s.NegativePrompt,
            Tags = s.Tags is null ? null : tags,
        }, errors);
    }

    private static void AddIf(HashSet<string> sent, string field, object? value)
    {
        if (value is not null)
        {
            sent.Add(field);
        }
    }
}
