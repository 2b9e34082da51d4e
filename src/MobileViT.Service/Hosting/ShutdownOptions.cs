namespace MobileViT.Service.Hosting;

/// <summary>How the service drains on SIGTERM (<c>MobileViT:Shutdown</c>).</summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "MobileViT:Shutdown";

    /// <summary>
    /// Seconds between readiness turning false and new requests being refused, so that load balancers (Kubernetes
    /// endpoints, ingress controllers) stop routing here first. 0 for development; a few seconds behind Kubernetes.
    /// </summary>
    public double ReadinessGracePeriodSeconds { get; set; }

    /// <summary>Longest wait for admitted requests to finish once new ones are refused.</summary>
    public double DrainTimeoutSeconds { get; set; } = 30;

    /// <summary>Time left after the drain for the HTTP server to send the last responses and close connections.</summary>
    public static readonly TimeSpan ServerStopMargin = TimeSpan.FromSeconds(5);

    public TimeSpan ReadinessGracePeriod => TimeSpan.FromSeconds(ReadinessGracePeriodSeconds);

    public TimeSpan DrainTimeout => TimeSpan.FromSeconds(DrainTimeoutSeconds);

    /// <summary>The whole shutdown budget, used as <see cref="HostOptions.ShutdownTimeout"/>.</summary>
    public TimeSpan HostShutdownTimeout => ReadinessGracePeriod + DrainTimeout + ServerStopMargin;
}
