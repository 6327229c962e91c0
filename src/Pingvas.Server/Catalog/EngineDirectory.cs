using Pingvas.Engines;

namespace Pingvas.Server.Catalog;

/// <summary>The engines this deployment can run, so a model no worker serves is refused at submit, not left queued forever.</summary>
public sealed class EngineDirectory(IEnumerable<IImageEngine> engines)
{
    public bool CanRun(string model) => engines.Any(e => e.CanRun(model));

    public IImageEngine? For(string model) => engines.FirstOrDefault(e => e.CanRun(model));

    /// <summary>Every model some engine of this process serves.</summary>
    public IReadOnlyCollection<string> Models => engines.SelectMany(e => e.Models).ToHashSet();
}
