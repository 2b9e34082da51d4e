using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MobileViT.Inference.Access;

/// <summary>
/// The API keys in force: those of configuration plus those of the key file, which is re-read every
/// <see cref="AuthOptions.ReloadInterval"/> on the injected clock. A changed file (rewritten in place or replaced by a
/// rename, as Kubernetes updates a mounted Secret) takes effect at the next check; one that cannot be read or parsed,
/// or names no key, leaves the previous keys in force and the reason is logged. Keys are never logged; names are.
/// </summary>
public sealed class ApiKeyStore : IDisposable
{
    private readonly AuthOptions _options;
    private readonly ILogger<ApiKeyStore> _logger;
    private readonly ApiKeySet _configured;
    private readonly ITimer? _timer;
    private readonly Lock _reloading = new();
    private volatile ApiKeySet _current;
    private byte[]? _fileHash;
    private string? _lastProblem;

    public ApiKeyStore(IOptions<AuthOptions> options, TimeProvider time, ILogger<ApiKeyStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        _configured = LoadConfigured(_options);
        _current = _configured;
        if (_options.KeyFile is { } file)
        {
            var (text, hash) = Read(file);
            _current = _configured.Concat(ParseFile(text, file));
            _fileHash = hash;
            _timer = time.CreateTimer(_ => Reload(), null, _options.ReloadInterval, _options.ReloadInterval);
        }
        if (_current.Count > 0)
            AccessLog.KeysRequired(_logger, _current.Count, string.Join(", ", _current.Names));
    }

    /// <summary>The keys now in force.</summary>
    public ApiKeySet Current => _current;

    /// <summary>Whether keys are required: at least one is configured.</summary>
    public bool Enabled => _current.Count > 0;

    /// <summary>The keys of <c>MobileViT:Auth:ApiKeys</c>; throws <see cref="FormatException"/> naming the bad entry.</summary>
    public static ApiKeySet LoadConfigured(AuthOptions options)
    {
        var keys = options.ApiKeys.Select((entry, i) => ApiKeyFile.ParseLine(entry, $"MobileViT__Auth__ApiKeys__{i}"));
        try
        {
            return new ApiKeySet(keys);
        }
        catch (FormatException e)
        {
            throw new FormatException($"MobileViT__Auth__ApiKeys: {e.Message}", e);
        }
    }

    /// <summary>Parses the key file's text; a file that names no key is an error, so that a truncated file never turns authentication off.</summary>
    public static ApiKeySet ParseFile(string text, string file)
    {
        var keys = ApiKeyFile.Parse(text, file);
        if (keys.Count == 0)
            throw new FormatException($"{file} names no key (expected 'name:key' lines).");
        return keys;
    }

    /// <summary>Reads the key file; throws <see cref="IOException"/> (or another I/O exception) when it cannot.</summary>
    public static (string Text, byte[] Hash) Read(string file)
    {
        var bytes = File.ReadAllBytes(file);
        return (Encoding.UTF8.GetString(bytes), SHA256.HashData(bytes));
    }

    /// <summary>Checks the key file once: reloads it if its content changed. Called by the timer; public for a check on demand.</summary>
    public void Reload()
    {
        var file = _options.KeyFile;
        if (file is null)
            return;
        lock (_reloading)
        {
            try
            {
                var (text, hash) = Read(file);
                if (_fileHash is not null && CryptographicOperations.FixedTimeEquals(hash, _fileHash))
                    return;
                var keys = _configured.Concat(ParseFile(text, file));
                _current = keys;
                _fileHash = hash;
                _lastProblem = null;
                AccessLog.KeysReloaded(_logger, file, keys.Count, string.Join(", ", keys.Names));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Logged once per distinct problem, not at every check.
                if (e.Message == _lastProblem)
                    return;
                _lastProblem = e.Message;
                AccessLog.KeyFileUnreadable(_logger, file, _current.Count, e.Message);
            }
        }
    }

    public void Dispose() => _timer?.Dispose();
}
