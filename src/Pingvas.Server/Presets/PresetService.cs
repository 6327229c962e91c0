using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Catalog;
using Pingvas.Server.Data;

namespace Pingvas.Server.Presets;

/// <summary>
/// A user's presets (per user: another user's id is as unknown as a missing one) and the shared
/// ones of their plan, including a model's default.
/// </summary>
public sealed class PresetService(PingvasDb db, CatalogCache catalogs, TimeProvider time)
{
    public const int MaxNameLength = 80;
    public const int MaxPresetsPerUser = 100;

    /// <summary>Own presets (by name), then the shared ones the user's plan sees (by name).</summary>
    public async Task<PresetList> ListAsync(Guid userId, CancellationToken ct)
    {
        var own = await db.Presets.AsNoTracking().Where(p => p.UserId == userId).ToListAsync(ct);
        var shared = await SharedForAsync(userId, ct);
        return new PresetList(
        [
            .. own.OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Id).Select(Dto),
            .. shared.Select(Dto),
        ]);
    }

    /// <summary>The shared default preset for <paramref name="model"/> that the user's plan sees, or null.</summary>
    public async Task<PresetDto?> DefaultAsync(Guid userId, string model, CancellationToken ct)
    {
        var shared = await SharedForAsync(userId, ct);
        return shared.Where(p => p.DefaultForModel == model).OrderByDescending(p => p.UpdatedAt).Select(Dto).FirstOrDefault();
    }

    public async Task<(PresetDto? Dto, PresetProblem? Problem)> CreateAsync(Guid userId, SavePresetRequest request, CancellationToken ct)
    {
        var (name, settings, problem) = await CheckAsync(request, required: true, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        // The limit depends on the user's count: counted and inserted under the owner's lock.
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        if (await db.Presets.CountAsync(p => p.UserId == userId, ct) >= MaxPresetsPerUser)
        {
            return (null, new PresetProblem(PresetProblemKind.Limit));
        }

        var now = Now();
        var row = new Preset { Id = Ids.New(), UserId = userId, Name = name!, Settings = settings!.ToJson(), CreatedAt = now, UpdatedAt = now };
        db.Presets.Add(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (Dto(row), null);
    }

    public async Task<(PresetDto? Dto, PresetProblem? Problem)> UpdateAsync(Guid userId, Guid id, SavePresetRequest request, CancellationToken ct)
    {
        var row = await db.Presets.SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, ct);
        if (row is null)
        {
            return (null, PresetProblem.NotFound);
        }

        var (name, settings, problem) = await CheckAsync(request, required: false, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        row.Name = name ?? row.Name;
        row.Settings = settings?.ToJson() ?? row.Settings;
        row.UpdatedAt = Now();
        await db.SaveChangesAsync(ct);
        return (Dto(row), null);
    }

    public async Task<bool> DeleteAsync(Guid userId, Guid id, CancellationToken ct) =>
        await db.Presets.Where(p => p.Id == id && p.UserId == userId).ExecuteDeleteAsync(ct) > 0;

    /// <summary>Name and settings as stored; on an update each is null when not sent.</summary>
    public async Task<(string? Name, PresetSettings? Settings, PresetProblem? Problem)> CheckAsync(SavePresetRequest request, bool required, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if ((required || request.Name is not null) && (string.IsNullOrEmpty(name) || name.Length > MaxNameLength))
        {
            errors["name"] = [$"name must have 1 to {MaxNameLength} characters."];
        }

        PresetSettings? settings = null;
        if (request.Settings is not null || required)
        {
            var (checkedSettings, settingErrors) = PresetSettings.Check(request.Settings, await catalogs.GetAsync(db, ct));
            settings = checkedSettings;
            foreach (var (field, messages) in settingErrors)
            {
                errors[field] = messages;
            }
        }

        return errors.Count > 0 ? (null, null, new PresetProblem(PresetProblemKind.Invalid, errors)) : (name, settings, null);
    }

    private async Task<List<SharedPreset>> SharedForAsync(Guid userId, CancellationToken ct)
    {
        var plan = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PlanId).SingleAsync(ct);
        var all = await db.SharedPresets.AsNoTracking().ToListAsync(ct);
        return [.. all.Where(p => SharedWith(p, plan)).OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Id)];
    }

    public static bool SharedWith(SharedPreset preset, string planId) => PlanList(preset).Contains(planId, StringComparer.Ordinal);

    public static IReadOnlyList<string> PlanList(SharedPreset preset) =>
        preset.PlanIds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static PresetDto Dto(Preset p) => new(p.Id, p.Name, PresetSettings.FromJson(p.Settings), false, null);

    private static PresetDto Dto(SharedPreset p) => new(p.Id, p.Name, PresetSettings.FromJson(p.Settings), true, p.DefaultForModel);

    private DateTime Now()
    {
        // Microseconds, as PostgreSQL stores them.
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
