namespace MobileViT.Inference.Models;

public enum ModelState
{
    Loading,

    /// <summary>Sessions created, sweeping execution settings (<c>Execution:Tuning=auto</c>); not ready yet.</summary>
    Tuning,
    Ready,
    Failed,
    Draining,
}
