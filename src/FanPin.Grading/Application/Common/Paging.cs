using System.Buffers.Text;
using System.Text;

namespace FanPin.Grading.Application.Common;

/// <summary>
/// Page sizes and opaque page tokens (keyset cursors: the sort key of the last item, so pages stay stable while
/// rows are added). A token is only valid for the list that issued it; the kind prefix catches a token passed
/// to another list.
/// </summary>
public static class Paging
{
    /// <summary>Page size when none is asked for.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Largest page; larger requests are served this many.</summary>
    public const int MaxPageSize = 500;

    /// <summary>The page size to use; negative sizes are invalid.</summary>
    public static int Size(int requested, Validator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        validator.Require(requested >= 0, "page_size", "must not be negative");
        return requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }

    /// <summary>A token for the cursor parts.</summary>
    public static string Token(string kind, params string[] parts) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(kind + "|" + string.Join("|", parts)));

    /// <summary>The cursor parts of a token of <paramref name="kind"/>; null for no token; a violation for a bad one.</summary>
    public static string[]? Parse(string? token, string kind, int parts, Validator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var split = text.Split('|');
            if (split.Length == parts + 1 && split[0] == kind)
            {
                return split[1..];
            }
        }
        catch (FormatException)
        {
        }
        validator.Add("page_token", "is not a token this list issued");
        return null;
    }
}
