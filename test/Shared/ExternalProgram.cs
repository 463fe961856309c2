namespace Domu.Testing;

/// <summary>
/// Finds a program a test needs (redis-server, promtool, prometheus) on PATH. When it is missing the
/// test is skipped with a message saying what to install, except in CI (<c>CI=true</c>), where a
/// missing program is a failure: CI installs them, so absence there is a broken set-up.
/// </summary>
public static class ExternalProgram
{
    /// <summary>The full path of <paramref name="name"/>, or skips (fails under CI) naming <paramref name="debianPackage"/>.</summary>
    public static string Require(string name, string debianPackage)
    {
        var path = Find(name);
        if (path is not null)
        {
            return path;
        }

        var message = $"'{name}' is not on PATH; install it (Debian/Ubuntu: apt-get install {debianPackage}) to run this test.";
        if (IsCi)
        {
            Assert.Fail(message + " CI=true, so a missing program is a failure.");
        }
        Assert.Skip(message);
        return null!;
    }

    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Find(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        // Debian puts daemons such as redis-server in /usr/sbin on some images, outside a user's PATH.
        foreach (var directory in directories.Concat(["/usr/sbin", "/usr/local/sbin"]))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
