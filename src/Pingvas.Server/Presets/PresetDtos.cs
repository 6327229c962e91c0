namespace Pingvas.Server.Presets;

/// <summary>A preset as a user sees it: their own (<see cref="Shared"/> false) or one an admin published for their plan.</summary>
public sealed record PresetDto(Guid Id, string Name, PresetSettings Settings, bool Shared, string? DefaultForModel);

public sealed record PresetList(IReadOnlyList<PresetDto> Items);

/// <summary><c>POST /presets</c> (both required) and <c>PATCH /presets/{id}</c> (each optional; settings replace the old ones).</summary>
public sealed record SavePresetRequest(string? Name, PresetSettings? Settings);

/// <summary><c>POST</c> and <c>PUT /admin/presets</c>: the whole preset (a PUT replaces every field; no defaultForModel clears it).</summary>
public sealed record SharedPresetRequest(string? Name, PresetSettings? Settings, IReadOnlyList<string>? PlanIds, string? DefaultForModel);

/// <summary>An admin's view of a shared preset.</summary>
public sealed record SharedPresetDto(
    Guid Id, string Name, PresetSettings Settings, IReadOnlyList<string> PlanIds, string? DefaultForModel, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record SharedPresetList(IReadOnlyList<SharedPresetDto> Items);

public enum PresetProblemKind
{
    /// <summary>400 validation_failed with <see cref="PresetProblem.Errors"/>.</summary>
    Invalid,

    /// <summary>404 preset_not_found: missing, another user's, or a shared one the plan does not see.</summary>
    NotFound,

    /// <summary>409 preset_limit.</summary>
    Limit,
}

public sealed record PresetProblem(PresetProblemKind Kind, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static readonly PresetProblem NotFound = new(PresetProblemKind.NotFound);

    public static PresetProblem Invalid(string field, string message) => new(PresetProblemKind.Invalid, new Dictionary<string, string[]> { [field] = [message] });
}
