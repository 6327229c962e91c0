using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// The users' LoRAs installed on one node, as models named <c>pingvas-lora-&lt;id&gt;</c> (no user data
/// on the node). A job's LoRA that is missing is installed from its signed URL, once however many jobs
/// want it at the same time; before an install would overflow <c>LoraCacheGigabytes</c> the least
/// recently used LoRAs that no running job holds are deleted. Last use is kept in memory only.
/// </summary>
public sealed class InvokeAiLoraCache(InvokeAiClient client, InvokeAiNodeOptions node, InvokeAiOptions options, TimeProvider time, ILogger logger, string instance)
{
    public const string NamePrefix = "pingvas-lora-";

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Entry> _entries = [];
    private readonly Dictionary<Guid, int> _inUse = [];
    private readonly Dictionary<Guid, Task<InvokeAiModel>> _installing = [];
    private readonly Dictionary<Guid, long> _pendingBytes = [];
    private long _clock;

    private long LimitBytes => (long)(node.LoraCacheGigabytes * 1_000_000_000);

    /// <summary>The LoRA ids installed on the node now.</summary>
    public IReadOnlyCollection<Guid> Held
    {
        get
        {
            lock (_gate)
            {
                return _entries.Keys.ToArray();
            }
        }
    }

    /// <summary>A point in the cache's history: a refresh forgets only entries it had seen by then.</summary>
    public long Stamp()
    {
        lock (_gate)
        {
            return _clock;
        }
    }

    /// <summary>Takes the node's installed <c>lora</c> models named as ours as the cache (their sizes from <c>file_size</c>).</summary>
    public void Refresh(IReadOnlyList<InvokeAiModel> installed, long stamp)
    {
        lock (_gate)
        {
            var seen = new HashSet<Guid>();
            foreach (var model in installed)
            {
                if (model.Type != "lora" || !TryParseName(model.Name, out var id))
                {
                    continue;
                }
                seen.Add(id);
                if (_entries.TryGetValue(id, out var entry))
                {
                    entry.Model = model;
                }
                else
                {
                    _entries[id] = new Entry(model, lastUsed: 0, added: ++_clock);
                }
            }
            foreach (var (id, entry) in _entries.ToList())
            {
                // Installed after the listing was read: not gone, just not listed yet.
                if (!seen.Contains(id) && entry.Added <= stamp)
                {
                    _entries.Remove(id);
                }
            }
        }
    }

    /// <summary>
    /// The node's models for <paramref name="loras"/>, installing what is missing. The lease keeps them
    /// from eviction until disposed. Throws <see cref="EngineFailedException"/> (<c>lora_install_failed</c>)
    /// when the node cannot install one, <see cref="RetryableEngineException"/> on a timeout.
    /// </summary>
    public async Task<InvokeAiLoraLease> AcquireAsync(IReadOnlyList<EngineLora> loras, CancellationToken ct)
    {
        var ids = loras.Select(l => l.Id).Distinct().ToList();
        lock (_gate)
        {
            foreach (var id in ids)
            {
                _inUse[id] = _inUse.GetValueOrDefault(id) + 1;
            }
        }
        var lease = new InvokeAiLoraLease(this, ids);
        try
        {
            foreach (var lora in loras)
            {
                lease.Models[lora.Id] = await GetOrInstallAsync(lora, ct);
            }
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    internal void Release(IReadOnlyList<Guid> ids)
    {
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (_entries.TryGetValue(id, out var entry))
                {
                    entry.LastUsed = ++_clock;
                }
                var count = _inUse.GetValueOrDefault(id) - 1;
                if (count <= 0)
                {
                    _inUse.Remove(id);
                }
                else
                {
                    _inUse[id] = count;
                }
            }
        }
    }

    private async Task<InvokeAiModel> GetOrInstallAsync(EngineLora lora, CancellationToken ct)
    {
        Task<InvokeAiModel> install;
        lock (_gate)
        {
            if (_entries.TryGetValue(lora.Id, out var entry))
            {
                entry.LastUsed = ++_clock;
                return entry.Model;
            }
            if (!_installing.TryGetValue(lora.Id, out install!))
            {
                // Not the job's token: another job may be waiting for the same install.
                install = Task.Run(() => InstallAsync(lora), CancellationToken.None);
                _installing[lora.Id] = install;
            }
        }
        return await install.WaitAsync(ct);
    }

    private async Task<InvokeAiModel> InstallAsync(EngineLora lora)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(node.LoraInstallTimeoutSeconds), time);
        int? installId = null;
        try
        {
            await EvictForAsync(lora, timeout.Token);
            var job = await client.InstallModelAsync(lora.DownloadUrl, lora.NodeName, timeout.Token);
            installId = job.Id;
            while (true)
            {
                switch (job.Status)
                {
                    case "completed":
                        var model = job.Installed ?? await FindInstalledAsync(lora, timeout.Token);
                        lock (_gate)
                        {
                            _entries[lora.Id] = new Entry(model with { FileSize = model.FileSize > 0 ? model.FileSize : lora.Bytes }, ++_clock, _clock);
                        }
                        return model;
                    case "error" or "cancelled":
                        // Another worker sharing this node may have installed it first (a duplicate name is an error).
                        if ((await client.GetModelsAsync(timeout.Token)).FirstOrDefault(m => m.Type == "lora" && m.Name == lora.NodeName) is { } existing)
                        {
                            lock (_gate)
                            {
                                _entries[lora.Id] = new Entry(existing, ++_clock, _clock);
                            }
                            return existing;
                        }
                        logger.LogWarning("InvokeAI node {Node} could not install LoRA {LoraId}: {Status} {Reason}", instance, lora.Id, job.Status, job.Error);
                        throw new EngineFailedException("lora_install_failed", "The LoRA could not be installed on the GPU node (the file was refused or could not be read).");
                }
                await Task.Delay(TimeSpan.FromSeconds(options.PollSeconds), time, timeout.Token);
                job = await client.GetInstallAsync(job.Id, timeout.Token)
                    ?? throw new RetryableEngineException("node_restarted", $"The node at {instance} lost the install of a LoRA; it restarted.");
            }
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            if (installId is { } id)
            {
                await CancelQuietlyAsync(id);
            }
            throw new RetryableEngineException("lora_install_timeout", $"The node at {instance} did not install a LoRA within {node.LoraInstallTimeoutSeconds} s.", ex);
        }
        finally
        {
            lock (_gate)
            {
                _installing.Remove(lora.Id);
                _pendingBytes.Remove(lora.Id);
            }
        }
    }

    /// <summary>Deletes least recently used LoRAs no job holds until <paramref name="lora"/> fits (or nothing more can go).</summary>
    private async Task EvictForAsync(EngineLora lora, CancellationToken ct)
    {
        var victims = new List<InvokeAiModel>();
        lock (_gate)
        {
            var used = _entries.Values.Sum(e => e.Model.FileSize) + _pendingBytes.Values.Sum();
            foreach (var (id, entry) in _entries.OrderBy(e => e.Value.LastUsed).ToList())
            {
                if (used + lora.Bytes <= LimitBytes)
                {
                    break;
                }
                if (_inUse.ContainsKey(id))
                {
                    continue;
                }
                _entries.Remove(id);
                used -= entry.Model.FileSize;
                victims.Add(entry.Model);
            }
            _pendingBytes[lora.Id] = lora.Bytes;
            if (used + lora.Bytes > LimitBytes)
            {
                // Everything left is held by running jobs: install anyway, the cache shrinks back as they finish.
                logger.LogWarning("InvokeAI node {Node}: LoRA cache over {Limit} GB while its LoRAs are in use.", instance, node.LoraCacheGigabytes);
            }
        }
        foreach (var victim in victims)
        {
            logger.LogInformation("InvokeAI node {Node}: evicting LoRA {Name} ({Bytes} bytes).", instance, victim.Name, victim.FileSize);
            await client.DeleteModelAsync(victim.Key, ct);
        }
    }

    private async Task<InvokeAiModel> FindInstalledAsync(EngineLora lora, CancellationToken ct)
    {
        var installed = await client.GetModelsAsync(ct);
        return installed.FirstOrDefault(m => m.Type == "lora" && m.Name == lora.NodeName)
            ?? throw new RetryableEngineException("node_unavailable", $"The node at {instance} reported a LoRA installed that it does not list.");
    }

    private async Task CancelQuietlyAsync(int installId)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(options.RequestTimeoutSeconds), time);
        try
        {
            await client.CancelInstallAsync(installId, limit.Token);
        }
        catch (Exception ex) when (ex is RetryableEngineException or InvokeAiRejectedException or OperationCanceledException)
        {
            logger.LogWarning("Could not cancel install {InstallId} on InvokeAI node {Node}: {Reason}", installId, instance, ex.Message);
        }
    }

    internal static bool TryParseName(string name, out Guid id)
    {
        id = Guid.Empty;
        var stem = Path.GetFileNameWithoutExtension(name);
        return stem.StartsWith(NamePrefix, StringComparison.Ordinal)
            && stem.Length == NamePrefix.Length + 32
            && Guid.TryParseExact(stem[NamePrefix.Length..], "N", out id);
    }

    private sealed class Entry(InvokeAiModel model, long lastUsed, long added)
    {
        public InvokeAiModel Model { get; set; } = model;

        public long LastUsed { get; set; } = lastUsed;

        public long Added { get; } = added;
    }
}

/// <summary>LoRAs a job holds on a node: never evicted while it runs.</summary>
public sealed class InvokeAiLoraLease(InvokeAiLoraCache cache, IReadOnlyList<Guid> ids) : IDisposable
{
    private int _disposed;

    /// <summary>LoRA id → its model on the node.</summary>
    public Dictionary<Guid, InvokeAiModel> Models { get; } = [];

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            cache.Release(ids);
        }
    }
}
