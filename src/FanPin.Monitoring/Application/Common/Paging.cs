using System.Text;

namespace FanPin.Monitoring.Application.Common;

/// <summary>Page sizes and opaque page tokens (base64 of the last key seen).</summary>
public static class Paging
{
    /// <summary>Page size when none is asked for.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Largest page.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The page size to use: default for 0, refused when negative, capped at <see cref="MaxPageSize"/>.</summary>
    public static int SizeOf(int requested, Validator validator, string field = "page_size")
    {
        validator.Require(requested >= 0, field, "must not be negative");
        return requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }

    /// <summary>Encodes the last key of a page.</summary>
    public static string Token(string lastKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastKey));

    /// <summary>Decodes a page token; empty for the first page; a violation for a malformed one.</summary>
    public static string? KeyOf(string? token, Validator validator, string field = "page_token")
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            validator.Add(field, "is not a page token returned by this list");
            return null;
        }
    }
}
