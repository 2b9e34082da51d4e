using MobileViT.Inference.Access;

namespace MobileViT.Inference.Serving;

/// <summary>
/// Who sent a request, as the host authenticated it: <see cref="Name"/> is an API key's name, or
/// <see cref="ClientLabel.Anonymous"/> when no keys are configured; <see cref="Address"/> is the client's network address,
/// for the limits that apply when callers have no name. The core never sees a credential.
/// </summary>
public sealed record Caller(string Name, string? Address)
{
    /// <summary>True when the caller is a configured key, not anonymous.</summary>
    public bool IsNamed => Name is not (ClientLabel.Anonymous or ClientLabel.Unauthenticated);

    public static Caller Anonymous(string? address) => new(ClientLabel.Anonymous, address);
}
