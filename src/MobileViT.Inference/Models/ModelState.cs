namespace MobileViT.Inference.Models;

/// <summary>Where a model stands. The transitions between them are <see cref="ModelStateMachine"/>'s, and only its.</summary>
public enum ModelState
{
    /// <summary>Obtaining the model's files and creating its sessions.</summary>
    Loading,

    /// <summary>Sessions created, sweeping execution settings (<c>Execution:Tuning=auto</c>).</summary>
    Tuning,

    /// <summary>Running every batch size once so the first requests do not pay for allocation and JIT.</summary>
    Warming,

    /// <summary>Serving requests.</summary>
    Ready,

    /// <summary>No longer ready: requests admitted before finish; new ones are refused once its batcher stops accepting.</summary>
    Draining,

    /// <summary>Drained and disposed.</summary>
    Unloaded,

    /// <summary>Loading failed; the model serves nothing.</summary>
    Failed,
}
