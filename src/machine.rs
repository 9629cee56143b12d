//! Facts about this machine that decide how far its measurements can be
//! trusted (virtualisation, clock source, CPU frequency scaling, SMT,
//! isolated CPUs, ASLR, load and free memory), for `environment.json` and
//! `conlab doctor`. Everything is read from `/proc` and `/sys` under a root
//! that tests can point at a directory of their own, so a machine without
//! `cpufreq` (a VM, a container) is a unit test, not a container to boot.
//! A value the machine does not expose is `None` (`null` in JSON): never
//! guessed, never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::child;
use crate::noise::LoadAverage;

/// The most `systemd-detect-virt` may write (its answer is one word).
const DETECT_VIRT_OUTPUT: usize = 4 << 10;
/// How long it may take (it answers in milliseconds).
const DETECT_VIRT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// What `environment.json` records about the machine beyond its model and
/// size. Every field is `null` where this machine does not expose it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    pub hostname: Option<String>,
    /// The hypervisor (`kvm`, `vmware`, …, or `none`).
    pub virtualization: Option<String>,
    /// Where `virtualization` comes from: `systemd-detect-virt`, `dmi`
    /// (`/sys/class/dmi/id`) or `cpuinfo` (the x86 `hypervisor` flag).
    pub virtualization_source: Option<String>,
    /// The container technology (`docker`, `podman`, …, or `none`); only
    /// `systemd-detect-virt` tells.
    pub container: Option<String>,
    /// `/sys/devices/system/clocksource/clocksource0/current_clocksource`.
    pub clock_source: Option<String>,
    /// The CPU frequency governors of all cpufreq policies, distinct values
    /// `, `-separated (e.g. `performance`).
    pub cpu_governor: Option<String>,
    /// The lowest `scaling_min_freq` and highest `scaling_max_freq` of the
    /// cpufreq policies, in MHz.
    pub cpu_freq_min_mhz: Option<f64>,
    pub cpu_freq_max_mhz: Option<f64>,
    /// Whether turbo / boost may raise the clock above its base frequency.
    pub turbo: Option<bool>,
    /// `/sys/devices/system/cpu/smt/control`: `on`, `off`, `forceoff`,
    /// `notsupported` or `notimplemented`.
    pub smt: Option<String>,
    /// `/sys/devices/system/cpu/isolated`: a CPU list such as `2-3`, empty
    /// when no CPU is isolated.
    pub isolated_cpus: Option<String>,
    /// `kernel.randomize_va_space`: 0 off, 1 partial, 2 full.
    pub aslr: Option<u8>,
    /// The load averages when this was read.
    pub load_average: Option<LoadAverage>,
    /// `MemFree` and `MemAvailable` of `/proc/meminfo` when this was read.
    pub memory_free_mb: Option<u64>,
    pub memory_available_mb: Option<u64>,
}

/// Reads `/proc` and `/sys` files under a root (`/` on a live machine).
#[derive(Clone, Debug)]
pub struct Machine {
    root: PathBuf,
}

/// Turns `/sys/class/dmi/id` vendor and product names into the names
/// `systemd-detect-virt` uses; a name not listed says nothing.
const DMI_VENDORS: &[(&str, &str)] = &[
    ("KVM", "kvm"),
    ("QEMU", "qemu"),
    ("VMware", "vmware"),
    ("VirtualBox", "oracle"),
    ("innotek", "oracle"),
    ("Xen", "xen"),
    ("Amazon EC2", "amazon"),
    ("Google Compute Engine", "google"),
    ("Microsoft Corporation Virtual Machine", "microsoft"),
    ("Parallels", "parallels"),
    ("Bochs", "bochs"),
    ("BHYVE", "bhyve"),
];

impl Machine {
    /// The live machine.
    pub fn live() -> Machine {
        Machine::at(Path::new("/"))
    }

    /// A machine whose `proc/` and `sys/` are under `root`.
    pub fn at(root: &Path) -> Machine {
        Machine {
            root: root.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn is_live(&self) -> bool {
        self.root == Path::new("/")
    }

    /// The trimmed content of `root/<path>`, if it can be read.
    pub fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(path))
            .ok()
            .map(|s| s.trim().to_string())
    }

    fn number<T: std::str::FromStr>(&self, path: &str) -> Option<T> {
        self.read(path)?.parse().ok()
    }

    /// The cpufreq policy directories (`…/cpufreq/policy0`, …), sorted;
    /// without policies, each CPU's own `cpufreq` directory (old kernels).
    pub fn cpufreq_dirs(&self) -> Vec<String> {
        let list = |dir: &str, keep: &dyn Fn(&str) -> bool, suffix: &str| -> Vec<String> {
            let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else {
                return Vec::new();
            };
            let mut found: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| keep(n))
                .map(|n| format!("{dir}/{n}{suffix}"))
                .filter(|p| self.root.join(p).is_dir())
                .collect();
            found.sort();
            found
        };
        let policies = list(
            "sys/devices/system/cpu/cpufreq",
            &|n| n.starts_with("policy"),
            "",
        );
        if !policies.is_empty() {
            return policies;
        }
        list(
            "sys/devices/system/cpu",
            &|n| {
                n.strip_prefix("cpu")
                    .is_some_and(|d| d.parse::<u32>().is_ok())
            },
            "/cpufreq",
        )
    }

    fn governor(&self, dirs: &[String]) -> Option<String> {
        let mut all: Vec<String> = dirs
            .iter()
            .filter_map(|d| self.read(&format!("{d}/scaling_governor")))
            .filter(|g| !g.is_empty())
            .collect();
        all.sort();
        all.dedup();
        (!all.is_empty()).then(|| all.join(", "))
    }

    fn freq_mhz(&self, dirs: &[String], file: &str, pick: fn(f64, f64) -> f64) -> Option<f64> {
        dirs.iter()
            .filter_map(|d| self.number::<f64>(&format!("{d}/{file}")))
            .map(|khz| khz / 1000.0)
            .reduce(pick)
    }

    /// Whether turbo / boost is on: Intel's `no_turbo`, the generic
    /// `cpufreq/boost`, or a policy's own `boost` (AMD).
    pub fn turbo(&self) -> Option<bool> {
        if let Some(no_turbo) = self.number::<u8>("sys/devices/system/cpu/intel_pstate/no_turbo") {
            return Some(no_turbo == 0);
        }
        if let Some(boost) = self.number::<u8>("sys/devices/system/cpu/cpufreq/boost") {
            return Some(boost == 1);
        }
        self.cpufreq_dirs()
            .iter()
            .find_map(|d| self.number::<u8>(&format!("{d}/boost")))
            .map(|b| b == 1)
    }

    fn meminfo_mb(&self, key: &str) -> Option<u64> {
        let text = self.read("proc/meminfo")?;
        let line = text.lines().find(|l| l.starts_with(key))?;
        let kb: u64 = line
            .split_once(':')?
            .1
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(kb / 1024)
    }

    /// `systemd-detect-virt <flag>`'s answer (`none` included), on the live
    /// machine only and if the program is there. Whatever is called that
    /// on `PATH` may write at most [`DETECT_VIRT_OUTPUT`] and take at most
    /// [`DETECT_VIRT_TIMEOUT`]; else it has no answer.
    fn detect_virt(&self, flag: &str) -> Option<String> {
        use std::os::unix::process::CommandExt;
        if !self.is_live() {
            return None;
        }
        let mut child = Command::new("systemd-detect-virt")
            .arg(flag)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .ok()?;
        let started = std::time::Instant::now();
        let bounds = child::Bounds {
            stdout: DETECT_VIRT_OUTPUT,
            stderr: 0,
            deadline: Some(started + DETECT_VIRT_TIMEOUT),
        };
        let done = child::supervise(&mut child, Vec::new(), bounds, started, &|| false);
        // It exits 1 when it finds nothing, and still prints `none`.
        let child::End::Exited(_) = done.end else {
            return None;
        };
        let answer = String::from_utf8_lossy(&done.stdout).trim().to_string();
        (!answer.is_empty() && answer.chars().all(|c| c.is_ascii_graphic())).then_some(answer)
    }

    /// The hypervisor and where that came from.
    pub fn virtualization(&self) -> (Option<String>, Option<String>) {
        if let Some(vm) = self.detect_virt("--vm") {
            return (Some(vm), Some("systemd-detect-virt".to_string()));
        }
        let dmi: Vec<String> = ["sys_vendor", "product_name", "bios_vendor"]
            .iter()
            .filter_map(|f| self.read(&format!("sys/class/dmi/id/{f}")))
            .collect();
        let joined = dmi.join(" ");
        if let Some((_, name)) = DMI_VENDORS.iter().find(|(key, _)| joined.contains(key)) {
            return (Some(name.to_string()), Some("dmi".to_string()));
        }
        // On x86 the CPUID hypervisor bit shows as a flag; a flags line
        // without it is a CPU that no hypervisor announced itself on.
        // Other architectures have no such flag and tell nothing.
        let cpuinfo = self.read("proc/cpuinfo").unwrap_or_default();
        match cpuinfo.lines().find(|l| l.starts_with("flags")) {
            Some(flags) => {
                let vm = flags.split_whitespace().any(|f| f == "hypervisor");
                (
                    Some(if vm { "vm" } else { "none" }.to_string()),
                    Some("cpuinfo".to_string()),
                )
            }
            None => (None, None),
        }
    }

    /// Reads every fact.
    pub fn facts(&self) -> Facts {
        let dirs = self.cpufreq_dirs();
        let (virtualization, virtualization_source) = self.virtualization();
        Facts {
            hostname: self
                .read("proc/sys/kernel/hostname")
                .filter(|h| !h.is_empty()),
            virtualization,
            virtualization_source,
            container: self.detect_virt("--container"),
            clock_source: self
                .read("sys/devices/system/clocksource/clocksource0/current_clocksource")
                .filter(|c| !c.is_empty()),
            cpu_governor: self.governor(&dirs),
            cpu_freq_min_mhz: self.freq_mhz(&dirs, "scaling_min_freq", f64::min),
            cpu_freq_max_mhz: self.freq_mhz(&dirs, "scaling_max_freq", f64::max),
            turbo: self.turbo(),
            smt: self
                .read("sys/devices/system/cpu/smt/control")
                .filter(|s| !s.is_empty()),
            isolated_cpus: self.read("sys/devices/system/cpu/isolated"),
            aslr: self.number("proc/sys/kernel/randomize_va_space"),
            load_average: LoadAverage::read(&self.root),
            memory_free_mb: self.meminfo_mb("MemFree"),
            memory_available_mb: self.meminfo_mb("MemAvailable"),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fake machine whose /proc and /sys hold only `files` (path under
    /// the root, content); the doctor's tests use it too.
    pub(crate) fn fake_machine(files: &[(&str, &str)]) -> (tempfile::TempDir, Machine) {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        for (path, text) in files {
            let path = dir.path().join(path);
            if let Some(parent) = path.parent()
                && let Err(e) = std::fs::create_dir_all(parent)
            {
                panic!("{e}");
            }
            if let Err(e) = std::fs::write(&path, text) {
                panic!("{e}");
            }
        }
        let m = Machine::at(dir.path());
        (dir, m)
    }

    #[test]
    fn an_empty_root_exposes_nothing_and_guesses_nothing() {
        let (_dir, m) = fake_machine(&[]);
        assert_eq!(m.facts(), Facts::default());
    }

    #[test]
    fn a_bare_metal_machine_with_cpufreq() {
        let (_dir, m) = fake_machine(&[
            ("proc/sys/kernel/hostname", "lab1\n"),
            ("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu sse2 avx2\n"),
            (
                "sys/devices/system/clocksource/clocksource0/current_clocksource",
                "tsc\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy0/scaling_governor",
                "powersave\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy1/scaling_governor",
                "performance\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy0/scaling_min_freq",
                "800000\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy1/scaling_min_freq",
                "1200000\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy0/scaling_max_freq",
                "3600000\n",
            ),
            (
                "sys/devices/system/cpu/cpufreq/policy1/scaling_max_freq",
                "4200000\n",
            ),
            ("sys/devices/system/cpu/intel_pstate/no_turbo", "0\n"),
            ("sys/devices/system/cpu/smt/control", "on\n"),
            ("sys/devices/system/cpu/isolated", "\n"),
            ("proc/sys/kernel/randomize_va_space", "2\n"),
            ("proc/loadavg", "0.10 0.20 0.30 1/100 42\n"),
            (
                "proc/meminfo",
                "MemTotal:       16000000 kB\nMemFree:         2048000 kB\nMemAvailable:    8192000 kB\n",
            ),
        ]);
        let f = m.facts();
        assert_eq!(f.hostname.as_deref(), Some("lab1"));
        assert_eq!(f.virtualization.as_deref(), Some("none"));
        assert_eq!(f.virtualization_source.as_deref(), Some("cpuinfo"));
        assert_eq!(f.container, None);
        assert_eq!(f.clock_source.as_deref(), Some("tsc"));
        assert_eq!(f.cpu_governor.as_deref(), Some("performance, powersave"));
        assert_eq!(f.cpu_freq_min_mhz, Some(800.0));
        assert_eq!(f.cpu_freq_max_mhz, Some(4200.0));
        assert_eq!(f.turbo, Some(true));
        assert_eq!(f.smt.as_deref(), Some("on"));
        assert_eq!(f.isolated_cpus.as_deref(), Some(""));
        assert_eq!(f.aslr, Some(2));
        assert_eq!(f.load_average.map(|l| l.five), Some(0.2));
        assert_eq!(f.memory_free_mb, Some(2000));
        assert_eq!(f.memory_available_mb, Some(8000));
    }

    #[test]
    fn a_vm_without_cpufreq() {
        let (_dir, m) = fake_machine(&[
            ("proc/cpuinfo", "flags\t\t: fpu hypervisor sse2\n"),
            ("sys/devices/system/cpu/cpufreq/.keep", ""),
            ("sys/devices/system/cpu/smt/control", "notsupported\n"),
        ]);
        let f = m.facts();
        assert_eq!(f.virtualization.as_deref(), Some("vm"));
        assert_eq!(f.cpu_governor, None);
        assert_eq!(f.cpu_freq_min_mhz, None);
        assert_eq!(f.turbo, None);
        assert_eq!(f.smt.as_deref(), Some("notsupported"));
    }

    #[test]
    fn dmi_names_the_hypervisor_and_old_kernels_have_per_cpu_cpufreq() {
        let (_dir, m) = fake_machine(&[
            ("sys/class/dmi/id/sys_vendor", "QEMU\n"),
            ("proc/cpuinfo", "flags\t\t: fpu hypervisor\n"),
            (
                "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
                "ondemand\n",
            ),
            ("sys/devices/system/cpu/cpufreq/boost", "0\n"),
        ]);
        let f = m.facts();
        assert_eq!(f.virtualization.as_deref(), Some("qemu"));
        assert_eq!(f.virtualization_source.as_deref(), Some("dmi"));
        assert_eq!(f.cpu_governor.as_deref(), Some("ondemand"));
        assert_eq!(f.turbo, Some(false));
    }

    #[test]
    fn unreadable_numbers_are_absent() {
        let (_dir, m) = fake_machine(&[
            ("proc/sys/kernel/randomize_va_space", "lots\n"),
            ("proc/meminfo", "MemFree: many kB\n"),
            ("proc/loadavg", "\n"),
        ]);
        let f = m.facts();
        assert_eq!(
            (f.aslr, f.memory_free_mb, f.load_average),
            (None, None, None)
        );
    }
}
