namespace MobileViT.Inference.Models.Repository;

/// <summary>
/// <c>MobileViT:Repository</c>: a model repository, <c>Path/&lt;model&gt;/&lt;version&gt;/</c>, each version a model directory
/// (<c>config.json</c>, <c>preprocessor_config.json</c>, <c>onnx/model.onnx</c>). Optional: configured models
/// (<c>MobileViT:Models</c>) work without one, and the two can be combined.
/// </summary>
public sealed class RepositoryOptions
{
    public const string Poll = "poll";
    public const string Explicit = "explicit";
    public const string IdlePriority = "idle";
    public const string LowPriority = "low";
    public const string NormalPriority = "normal";

    /// <summary>The repository's directory; unset: no repository.</summary>
    public string? Path { get; set; }

    /// <summary>
    /// <c>poll</c>: the repository is re-read every <see cref="PollIntervalSeconds"/> and what changed is loaded or unloaded;
    /// <c>explicit</c>: after start-up, models change only through the control API's load and unload.
    /// </summary>
    public string Control { get; set; } = Poll;

    public double PollIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// Serves Triton's model repository extension (<c>POST /v2/repository/...</c>, gRPC <c>RepositoryIndex</c>,
    /// <c>RepositoryModelLoad</c>, <c>RepositoryModelUnload</c>); it needs an API key with the <c>admin</c> scope.
    /// </summary>
    public bool ControlApi { get; set; }

    /// <summary>
    /// The CPU priority of a version loading beside a serving one (creating and warming its sessions, when they run
    /// single-threaded and untuned). <c>idle</c>: only CPU time no other thread wants (Linux <c>SCHED_IDLE</c>), so a
    /// swap barely moves the latency of the requests being served, but on a saturated server the load waits for a lull;
    /// <c>low</c>: nice +10, about a tenth of a contended core, so it finishes under any load; <c>normal</c>: as serving.
    /// </summary>
    public string LoadPriority { get; set; } = IdlePriority;

    /// <summary>The fraction of a model's live requests its shadow version also runs, unless its configuration says otherwise.</summary>
    public double ShadowSample { get; set; } = 0.1;

    /// <summary><see cref="Path"/>, null when unset or empty (an unset variable in a compose file).</summary>
    public string? Directory => string.IsNullOrWhiteSpace(Path) ? null : Path;

    public bool Polls => string.Equals(Control, Poll, StringComparison.OrdinalIgnoreCase);

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);
}
