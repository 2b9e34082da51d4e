using System.Security.Cryptography;

namespace MobileViT.Service.Access;

/// <summary>
/// A secret made afresh by each process and known only inside it, with which the service's own start-up requests
/// (<see cref="Hosting.RequestPathWarmUp"/>) authenticate over loopback as the caller <see cref="CallerName"/>.
/// </summary>
internal sealed class WarmUpCredential
{
    public const string Header = "x-mobilevit-warm-up";
    public const string CallerName = "warm-up";

    public string Secret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(presented), System.Text.Encoding.ASCII.GetBytes(Secret));
}
