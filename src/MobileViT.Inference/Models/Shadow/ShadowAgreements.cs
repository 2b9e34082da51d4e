using System.Collections.Concurrent;

namespace MobileViT.Inference.Models.Shadow;

/// <summary>Every (model, default version, shadow version) pair compared since the server started, each with its running figures.</summary>
public sealed class ShadowAgreements
{
    private readonly ConcurrentDictionary<(string Model, int Version, int Shadow), ShadowAgreement> _pairs = new();

    internal ShadowAgreement For(string model, int version, int shadowVersion) =>
        _pairs.GetOrAdd((model.ToLowerInvariant(), version, shadowVersion), _ => new ShadowAgreement(model, version, shadowVersion));

    /// <summary>The figures of a pair (zeros when it has compared nothing yet).</summary>
    public ShadowAgreementSnapshot Snapshot(string model, int version, int shadowVersion, double sample) => For(model, version, shadowVersion).Snapshot(sample);

    /// <summary>Every pair that has compared or dropped something.</summary>
    internal IReadOnlyList<ShadowAgreement> All => _pairs.Values.ToList();
}
