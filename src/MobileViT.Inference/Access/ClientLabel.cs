namespace MobileViT.Inference.Access;

/// <summary>
/// The <c>client</c> label of the request metrics: the key's name, or one of these. Never an address, so the label's
/// values are bounded by the number of keys.
/// </summary>
public static class ClientLabel
{
    /// <summary>No keys are configured: every caller is anonymous.</summary>
    public const string Anonymous = "anonymous";

    /// <summary>Keys are configured and the request had none, or a wrong one.</summary>
    public const string Unauthenticated = "unauthenticated";
}
