using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Preprocessing;

/// <summary>Says once per process which JPEG decoder runs: information with libturbojpeg, a warning on the SkiaSharp fallback.</summary>
internal static partial class JpegDecoderNotice
{
    private static int _logged;

    public static void LogOnce(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (Interlocked.Exchange(ref _logged, 1) == 1)
            return;
        Log(logger, ImagePreprocessor.JpegDecoderFallback, ImagePreprocessor.JpegDecoderStatus);
    }

    internal static void Log(ILogger logger, bool fallback, string status)
    {
        if (fallback)
            FallbackDecoder(logger, status);
        else
            Decoder(logger, status);
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "{JpegDecoder}")]
    private static partial void Decoder(ILogger logger, string jpegDecoder);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "{JpegDecoder}")]
    private static partial void FallbackDecoder(ILogger logger, string jpegDecoder);
}
