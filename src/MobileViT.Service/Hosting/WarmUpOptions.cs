namespace MobileViT.Service.Hosting;

/// <summary><c>MobileViT:WarmUp</c>: what the service does at start-up, beyond warming each model's sessions, before it reports ready.</summary>
internal sealed class WarmUpOptions
{
    public const string SectionName = "MobileViT:WarmUp";

    /// <summary>Send one real request per protocol over loopback before readiness (<see cref="RequestPathWarmUp"/>).</summary>
    public bool RequestPath { get; set; } = true;
}
