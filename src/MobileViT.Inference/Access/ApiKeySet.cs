using System.Security.Cryptography;
using System.Text;

namespace MobileViT.Inference.Access;

/// <summary>An immutable set of API keys, as loaded from configuration and the key file at one moment.</summary>
public sealed class ApiKeySet
{
    public static readonly ApiKeySet Empty = new([]);

    private readonly ApiKey[] _keys;

    public ApiKeySet(IEnumerable<ApiKey> keys)
    {
        _keys = keys.ToArray();
        var duplicate = _keys.GroupBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new FormatException($"The key name '{duplicate.Key}' is used twice; each key needs its own name.");
    }

    public int Count => _keys.Length;

    public IEnumerable<string> Names => _keys.Select(k => k.Name);

    public IReadOnlyList<ApiKey> Keys => _keys;

    /// <summary>The key of that name, or null.</summary>
    public ApiKey? Find(string name) => _keys.FirstOrDefault(k => k.Name == name);

    public ApiKeySet Concat(ApiKeySet other) => new(_keys.Concat(other._keys));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// The key matching <paramref name="presented"/>, or null. Hashes of equal length are compared in constant time,
    /// and every key is compared, so neither the time taken nor its variation says how much of a key was right or which key it was.
    /// </summary>
    public ApiKey? Authenticate(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
            return null;
        var hash = Hash(presented);
        ApiKey? match = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash))
                match = key;
        }
        return match;
    }
}
