#include <algorithm>
#include <set>

#include "base/digest.h"
#include "sbom/format_internal.h"
#include "sbom/purl.h"

namespace strata::sbom::internal {
namespace {

// SPDX license list 3.28.0, license and exception ids, space separated: the
// enum of CycloneDX's spdx.schema.json (v1.1-3.28.0), which both formats check.
constexpr std::string_view kSpdxLicenseIds =
    "0BSD 389-exception 3D-Slicer-1.0 AAL ADSL AFL-1.1 AFL-1.2 AFL-2.0 "
    "AFL-2.1 AFL-3.0 AGPL-1.0 AGPL-1.0-only AGPL-1.0-or-later AGPL-3.0 "
    "AGPL-3.0-only AGPL-3.0-or-later ALGLIB-Documentation AMD-newlib "
    "AMDPLPA AML AML-glslang AMPAS ANTLR-PD ANTLR-PD-fallback APAFML "
    "APL-1.0 APSL-1.0 APSL-1.1 APSL-1.2 APSL-2.0 ASWF-Digital-Assets-1.0 "
    "ASWF-Digital-Assets-1.1 Abstyles AdaCore-doc Adobe-2006 "
    "Adobe-Display-PostScript Adobe-Glyph Adobe-Utopia "
    "Advanced-Cryptics-Dictionary Afmparse Aladdin Apache-1.0 Apache-1.1 "
    "Apache-2.0 App-s2p Arphic-1999 Artistic-1.0 Artistic-1.0-Perl "
    "Artistic-1.0-cl8 Artistic-2.0 Artistic-dist Aspell-RU "
    "Asterisk-exception Asterisk-linking-protocols-exception "
    "Autoconf-exception-2.0 Autoconf-exception-3.0 "
    "Autoconf-exception-generic Autoconf-exception-generic-3.0 "
    "Autoconf-exception-macro BOLA-1.1 BSD-1-Clause BSD-2-Clause "
    "BSD-2-Clause-Darwin BSD-2-Clause-FreeBSD BSD-2-Clause-NetBSD "
    "BSD-2-Clause-Patent BSD-2-Clause-Views BSD-2-Clause-first-lines "
    "BSD-2-Clause-pkgconf-disclaimer BSD-3-Clause BSD-3-Clause-Attribution "
    "BSD-3-Clause-Clear BSD-3-Clause-HP BSD-3-Clause-LBNL "
    "BSD-3-Clause-Modification BSD-3-Clause-No-Military-License "
    "BSD-3-Clause-No-Nuclear-License BSD-3-Clause-No-Nuclear-License-2014 "
    "BSD-3-Clause-No-Nuclear-Warranty BSD-3-Clause-Open-MPI "
    "BSD-3-Clause-Sun BSD-3-Clause-Tso BSD-3-Clause-acpica "
    "BSD-3-Clause-flex BSD-4-Clause BSD-4-Clause-Shortened BSD-4-Clause-UC "
    "BSD-4.3RENO BSD-4.3TAHOE BSD-Advertising-Acknowledgement "
    "BSD-Attribution-HPND-disclaimer BSD-Inferno-Nettverk "
    "BSD-Mark-Modifications BSD-Protection BSD-Source-Code "
    "BSD-Source-beginning-file BSD-Systemics BSD-Systemics-W3Works BSL-1.0 "
    "BUSL-1.1 Baekmuk Bahyph Barr Beerware Bison-exception-1.24 "
    "Bison-exception-2.2 BitTorrent-1.0 BitTorrent-1.1 Bitstream-Charter "
    "Bitstream-Vera BlueOak-1.0.0 Boehm-GC Boehm-GC-without-fee "
    "Bootloader-exception Borceux Brian-Gladman-2-Clause "
    "Brian-Gladman-3-Clause Buddy C-UDA-1.0 CAL-1.0 "
    "CAL-1.0-Combined-Work-Exception CAPEC-tou CATOSL-1.1 CC-BY-1.0 "
    "CC-BY-2.0 CC-BY-2.5 CC-BY-2.5-AU CC-BY-3.0 CC-BY-3.0-AT CC-BY-3.0-AU "
    "CC-BY-3.0-DE CC-BY-3.0-IGO CC-BY-3.0-NL CC-BY-3.0-US CC-BY-4.0 "
    "CC-BY-NC-1.0 CC-BY-NC-2.0 CC-BY-NC-2.5 CC-BY-NC-3.0 CC-BY-NC-3.0-DE "
    "CC-BY-NC-4.0 CC-BY-NC-ND-1.0 CC-BY-NC-ND-2.0 CC-BY-NC-ND-2.5 "
    "CC-BY-NC-ND-3.0 CC-BY-NC-ND-3.0-DE CC-BY-NC-ND-3.0-IGO "
    "CC-BY-NC-ND-4.0 CC-BY-NC-SA-1.0 CC-BY-NC-SA-2.0 CC-BY-NC-SA-2.0-DE "
    "CC-BY-NC-SA-2.0-FR CC-BY-NC-SA-2.0-UK CC-BY-NC-SA-2.5 CC-BY-NC-SA-3.0 "
    "CC-BY-NC-SA-3.0-DE CC-BY-NC-SA-3.0-IGO CC-BY-NC-SA-4.0 CC-BY-ND-1.0 "
    "CC-BY-ND-2.0 CC-BY-ND-2.5 CC-BY-ND-3.0 CC-BY-ND-3.0-DE CC-BY-ND-4.0 "
    "CC-BY-SA-1.0 CC-BY-SA-2.0 CC-BY-SA-2.0-UK CC-BY-SA-2.1-JP "
    "CC-BY-SA-2.5 CC-BY-SA-3.0 CC-BY-SA-3.0-AT CC-BY-SA-3.0-DE "
    "CC-BY-SA-3.0-IGO CC-BY-SA-4.0 CC-PDDC CC-PDM-1.0 CC-SA-1.0 CC0-1.0 "
    "CDDL-1.0 CDDL-1.1 CDL-1.0 CDLA-Permissive-1.0 CDLA-Permissive-2.0 "
    "CDLA-Sharing-1.0 CECILL-1.0 CECILL-1.1 CECILL-2.0 CECILL-2.1 CECILL-B "
    "CECILL-C CERN-OHL-1.1 CERN-OHL-1.2 CERN-OHL-P-2.0 CERN-OHL-S-2.0 "
    "CERN-OHL-W-2.0 CFITSIO CGAL-linking-exception CLISP-exception-2.0 "
    "CMU-Mach CMU-Mach-nodoc CNRI-Jython CNRI-Python "
    "CNRI-Python-GPL-Compatible COIL-1.0 CPAL-1.0 CPL-1.0 CPOL-1.02 "
    "CUA-OPL-1.0 Caldera Caldera-no-preamble Catharon ClArtistic "
    "Classpath-exception-2.0 Classpath-exception-2.0-short Clips "
    "Community-Spec-1.0 Condor-1.1 Cornell-Lossless-JPEG Cronyx Crossword "
    "CryptoSwift CrystalStacker Cube D-FSL-1.0 DEC-3-Clause DL-DE-BY-2.0 "
    "DL-DE-ZERO-2.0 DOC DRL-1.0 DRL-1.1 DSDP DigiRule-FOSS-exception "
    "Digia-Qt-LGPL-exception-1.1 DocBook-DTD DocBook-Schema "
    "DocBook-Stylesheet DocBook-XML Dotseqn ECL-1.0 ECL-2.0 EFL-1.0 "
    "EFL-2.0 EPICS EPL-1.0 EPL-2.0 ESA-PL-permissive-2.4 "
    "ESA-PL-strong-copyleft-2.4 ESA-PL-weak-copyleft-2.4 EUDatagrid "
    "EUPL-1.0 EUPL-1.1 EUPL-1.2 Elastic-2.0 Entessa ErlPL-1.1 Eurosym FBM "
    "FDK-AAC FLTK-exception FSFAP FSFAP-no-warranty-disclaimer FSFUL "
    "FSFULLR FSFULLRSD FSFULLRWD FSL-1.1-ALv2 FSL-1.1-MIT FTL Fair "
    "Fawkes-Runtime-exception Ferguson-Twofish Font-exception-2.0 "
    "Frameworx-1.0 FreeBSD-DOC FreeImage Furuseth GCC-exception-2.0 "
    "GCC-exception-2.0-note GCC-exception-3.1 GCR-docs GD GFDL-1.1 "
    "GFDL-1.1-invariants-only GFDL-1.1-invariants-or-later "
    "GFDL-1.1-no-invariants-only GFDL-1.1-no-invariants-or-later "
    "GFDL-1.1-only GFDL-1.1-or-later GFDL-1.2 GFDL-1.2-invariants-only "
    "GFDL-1.2-invariants-or-later GFDL-1.2-no-invariants-only "
    "GFDL-1.2-no-invariants-or-later GFDL-1.2-only GFDL-1.2-or-later "
    "GFDL-1.3 GFDL-1.3-invariants-only GFDL-1.3-invariants-or-later "
    "GFDL-1.3-no-invariants-only GFDL-1.3-no-invariants-or-later "
    "GFDL-1.3-only GFDL-1.3-or-later GL2PS GLWTPL GNAT-exception "
    "GNOME-examples-exception GNU-compiler-exception GPL-1.0 GPL-1.0+ "
    "GPL-1.0-only GPL-1.0-or-later GPL-2.0 GPL-2.0+ GPL-2.0-only "
    "GPL-2.0-or-later GPL-2.0-with-GCC-exception "
    "GPL-2.0-with-autoconf-exception GPL-2.0-with-bison-exception "
    "GPL-2.0-with-classpath-exception GPL-2.0-with-font-exception GPL-3.0 "
    "GPL-3.0+ GPL-3.0-389-ds-base-exception GPL-3.0-interface-exception "
    "GPL-3.0-linking-exception GPL-3.0-linking-source-exception "
    "GPL-3.0-only GPL-3.0-or-later GPL-3.0-with-GCC-exception "
    "GPL-3.0-with-autoconf-exception GPL-CC-1.0 GStreamer-exception-2005 "
    "GStreamer-exception-2008 Game-Programming-Gems Giftware Glide Glulxe "
    "Gmsh-exception Graphics-Gems Gutmann HDF5 HIDAPI HP-1986 HP-1989 HPND "
    "HPND-DEC HPND-Fenneberg-Livingston HPND-INRIA-IMAG HPND-Intel "
    "HPND-Kevlin-Henney HPND-MIT-disclaimer HPND-Markus-Kuhn HPND-Netrek "
    "HPND-Pbmplus HPND-SMC HPND-UC HPND-UC-export-US HPND-doc "
    "HPND-doc-sell HPND-export-US HPND-export-US-acknowledgement "
    "HPND-export-US-modify HPND-export2-US HPND-merchantability-variant "
    "HPND-sell-MIT-disclaimer-xserver HPND-sell-regexpr HPND-sell-variant "
    "HPND-sell-variant-MIT-disclaimer HPND-sell-variant-MIT-disclaimer-rev "
    "HPND-sell-variant-critical-systems HTMLTIDY HaskellReport "
    "Hippocratic-2.1 IBM-pibs ICU IEC-Code-Components-EULA IJG IJG-short "
    "IPA IPL-1.0 ISC ISC-Veillard ISO-permission ImageMagick Imlib2 "
    "Independent-modules-exception Info-ZIP Inner-Net-2.0 InnoSetup Intel "
    "Intel-ACPI Interbase-1.0 JPL-image JPNIC JSON Jam JasPer-2.0 Kastrup "
    "Kazlib KiCad-libraries-exception Knuth-CTAN LAL-1.2 LAL-1.3 LGPL-2.0 "
    "LGPL-2.0+ LGPL-2.0-only LGPL-2.0-or-later LGPL-2.1 LGPL-2.1+ "
    "LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0 LGPL-3.0+ "
    "LGPL-3.0-linking-exception LGPL-3.0-only LGPL-3.0-or-later LGPLLR "
    "LLGPL LLVM-exception LOOP LPD-document LPL-1.0 LPL-1.02 LPPL-1.0 "
    "LPPL-1.1 LPPL-1.2 LPPL-1.3a LPPL-1.3c LZMA-SDK-9.11-to-9.20 "
    "LZMA-SDK-9.22 LZMA-exception Latex2e Latex2e-translated-notice "
    "Leptonica LiLiQ-P-1.1 LiLiQ-R-1.1 LiLiQ-Rplus-1.1 Libpng "
    "Libtool-exception Linux-OpenIB Linux-man-pages-1-para "
    "Linux-man-pages-copyleft Linux-man-pages-copyleft-2-para "
    "Linux-man-pages-copyleft-var Linux-syscall-note Lucida-Bitmap-Fonts "
    "MIPS MIT MIT-0 MIT-CMU MIT-Click MIT-Festival MIT-Khronos-old "
    "MIT-Modern-Variant MIT-STK MIT-Wu MIT-advertising MIT-enna MIT-feh "
    "MIT-open-group MIT-testregex MITNFA MMIXware MMPL-1.0.1 MPEG-SSG "
    "MPL-1.0 MPL-1.1 MPL-2.0 MPL-2.0-no-copyleft-exception MS-LPL MS-PL "
    "MS-RL MTLL Mackerras-3-Clause Mackerras-3-Clause-acknowledgment "
    "MakeIndex Martin-Birgmeier McPhee-slideshow Minpack MirOS Motosoto "
    "MulanPSL-1.0 MulanPSL-2.0 Multics Mup NAIST-2003 NASA-1.3 NBPL-1.0 "
    "NCBI-PD NCGL-UK-2.0 NCL NCSA NGPL NICTA-1.0 NIST-PD NIST-PD-TNT "
    "NIST-PD-fallback NIST-Software NLOD-1.0 NLOD-2.0 NLPL NOSL NPL-1.0 "
    "NPL-1.1 NPOSL-3.0 NRL NTIA-PD NTP NTP-0 Naumen Net-SNMP NetCDF "
    "Newsletr Nokia Nokia-Qt-exception-1.1 Noweb Nunit O-UDA-1.0 OAR "
    "OCCT-PL OCCT-exception-1.0 OCLC-2.0 OCaml-LGPL-linking-exception "
    "ODC-By-1.0 ODbL-1.0 OFFIS OFL-1.0 OFL-1.0-RFN OFL-1.0-no-RFN OFL-1.1 "
    "OFL-1.1-RFN OFL-1.1-no-RFN OGC-1.0 OGDL-Taiwan-1.0 OGL-Canada-2.0 "
    "OGL-UK-1.0 OGL-UK-2.0 OGL-UK-3.0 OGTSL OLDAP-1.1 OLDAP-1.2 OLDAP-1.3 "
    "OLDAP-1.4 OLDAP-2.0 OLDAP-2.0.1 OLDAP-2.1 OLDAP-2.2 OLDAP-2.2.1 "
    "OLDAP-2.2.2 OLDAP-2.3 OLDAP-2.4 OLDAP-2.5 OLDAP-2.6 OLDAP-2.7 "
    "OLDAP-2.8 OLFL-1.3 OML OPL-1.0 OPL-UK-3.0 OPUBL-1.0 OSC-1.0 "
    "OSET-PL-2.1 OSL-1.0 OSL-1.1 OSL-2.0 OSL-2.1 OSL-3.0 OSSP "
    "OpenJDK-assembly-exception-1.0 OpenMDW-1.0 OpenPBS-2.3 OpenSSL "
    "OpenSSL-standalone OpenVision PADL PCRE2-exception PDDL-1.0 PHP-3.0 "
    "PHP-3.01 PPL PS-or-PDF-font-exception-20170817 PSF-2.0 "
    "ParaType-Free-Font-1.3 Parity-6.0.0 Parity-7.0.0 Pixar Plexus "
    "PolyForm-Noncommercial-1.0.0 PolyForm-Small-Business-1.0.0 PostgreSQL "
    "Python-2.0 Python-2.0.1 QPL-1.0 QPL-1.0-INRIA-2004 "
    "QPL-1.0-INRIA-2004-exception Qhull Qt-GPL-exception-1.0 "
    "Qt-LGPL-exception-1.1 Qwt-exception-1.0 RHeCos-1.1 RPL-1.1 RPL-1.5 "
    "RPSL-1.0 RRDtool-FLOSS-exception-2.0 RSA-MD RSCPL Rdisc Ruby Ruby-pty "
    "SANE-exception SAX-PD SAX-PD-2.0 SCEA SGI-B-1.0 SGI-B-1.1 SGI-B-2.0 "
    "SGI-OpenGL SGMLUG-PM SGP4 SHL-0.5 SHL-0.51 SHL-2.0 SHL-2.1 SISSL "
    "SISSL-1.2 SL SMAIL-GPL SMLNJ SMPPL SNIA SOFA SPL-1.0 SSH-OpenSSH "
    "SSH-short SSLeay-standalone SSPL-1.0 SUL-1.0 SWI-exception SWL "
    "Saxpath SchemeReport Sendmail Sendmail-8.23 Sendmail-Open-Source-1.1 "
    "SimPL-2.0 Simple-Library-Usage-exception Sleepycat Soundex Spencer-86 "
    "Spencer-94 Spencer-99 StandardML-NJ SugarCRM-1.1.3 Sun-PPP "
    "Sun-PPP-2000 SunPro Swift-exception Symlinks TAPR-OHL-1.0 TCL "
    "TCP-wrappers TGPPL-1.0 TMate TORQUE-1.1 TOSL TPDL TPL-1.0 TTWL TTYP0 "
    "TU-Berlin-1.0 TU-Berlin-2.0 TekHVC TermReadKey Texinfo-exception "
    "ThirdEye TrustedQSL UBDL-exception UCAR UCL-1.0 UMich-Merit UPL-1.0 "
    "URT-RLE Ubuntu-font-1.0 UnRAR Unicode-3.0 Unicode-DFS-2015 "
    "Unicode-DFS-2016 Unicode-TOU Universal-FOSS-exception-1.0 UnixCrypt "
    "Unlicense Unlicense-libtelnet Unlicense-libwhirlpool VOSTROM VSL-1.0 "
    "Vim Vixie-Cron W3C W3C-19980720 W3C-20150513 WTFNMFPL WTFPL "
    "Watcom-1.0 Widget-Workshop WordNet Wsuipa WxWindows-exception-3.1 X11 "
    "X11-distribute-modifications-variant X11-no-permit-persons "
    "X11-swapped XFree86-1.1 XSkat Xdebug-1.03 Xerox Xfig Xnet YPL-1.0 "
    "YPL-1.1 ZPL-1.1 ZPL-2.0 ZPL-2.1 Zed Zeeff Zend-2.0 Zimbra-1.3 "
    "Zimbra-1.4 Zlib any-OSI any-OSI-perl-modules bcrypt-Solar-Designer "
    "blessing bzip2-1.0.5 bzip2-1.0.6 check-cvs checkmk "
    "copyleft-next-0.3.0 copyleft-next-0.3.1 cryptsetup-OpenSSL-exception "
    "curl cve-tou diffmark dtoa dvipdfm eCos-2.0 eCos-exception-2.0 eGenix "
    "erlang-otp-linking-exception etalab-2.0 fmt-exception "
    "freertos-exception-2.0 fwlw gSOAP-1.3b generic-xts "
    "gnu-javamail-exception gnuplot gtkbook harbour-exception hdparm "
    "hyphen-bulgarian i2p-gpl-java-exception iMatix jove "
    "kvirc-openssl-exception libpng-1.6.35 libpng-2.0 "
    "libpri-OpenH323-exception libselinux-1.0 libtiff libutil-David-Nugent "
    "lsof magaz mailprio man2html metamail mif-exception mpi-permissive "
    "mpich2 mplus mxml-exception ngrep openvpn-openssl-exception pkgconf "
    "pnmstitch polyparse-exception psfrag psutils python-ldap radvd "
    "romic-exception rsync-linking-exception snprintf softSurfer "
    "sqlitestudio-OpenSSL-exception ssh-keyscan stunnel-exception swrule "
    "threeparttable u-boot-exception-2.0 ulem vsftpd-openssl-exception w3m "
    "wwl wxWindows x11vnc-openssl-exception xinetd "
    "xkeyboard-config-Zinoviev xlock xpp xzoom zlib-acknowledgement ";

// Parentheses nest at most this deep in a license expression we accept.
constexpr int kMaxLicenseExpressionDepth = 32;

// Lowercased id -> canonical spelling, built once.
const std::map<std::string, std::string_view>& LicenseIndex() {
  static const auto* index = [] {
    auto* m = new std::map<std::string, std::string_view>;
    std::string_view rest = kSpdxLicenseIds;
    while (!rest.empty()) {
      size_t sp = rest.find(' ');
      std::string_view id = rest.substr(0, sp);
      std::string lower(id);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (!id.empty()) m->emplace(lower, id);
      rest = sp == std::string_view::npos ? "" : rest.substr(sp + 1);
    }
    return m;
  }();
  return *index;
}

bool IsRefChars(std::string_view s) { return !s.empty() && SanitizeId(s) == s; }

// Recursive descent over the tokens of an SPDX license expression.
class ExpressionParser {
 public:
  explicit ExpressionParser(std::string_view s) {
    std::string cur;
    for (char c : s) {
      if (c == '(' || c == ')' || c == ' ' || c == '\t') {
        if (!cur.empty()) tokens_.push_back(std::move(cur));
        cur.clear();
        if (c == '(' || c == ')') tokens_.push_back(std::string(1, c));
      } else {
        cur.push_back(c);
      }
    }
    if (!cur.empty()) tokens_.push_back(std::move(cur));
  }

  std::optional<std::string> Parse() {
    if (tokens_.empty() || !Expr(0) || pos_ != tokens_.size()) {
      return std::nullopt;
    }
    return out_;
  }

 private:
  static std::string Operator(std::string_view t) {
    if (t == "AND" || t == "and") return "AND";
    if (t == "OR" || t == "or") return "OR";
    if (t == "WITH" || t == "with") return "WITH";
    return "";
  }
  bool Expr(int depth) {
    if (!Term(depth)) return false;
    while (pos_ < tokens_.size()) {
      std::string op = Operator(tokens_[pos_]);
      if (op != "AND" && op != "OR") return true;
      ++pos_;
      out_ += " " + op + " ";
      if (!Term(depth)) return false;
    }
    return true;
  }
  bool Term(int depth) {
    if (pos_ >= tokens_.size()) return false;
    if (tokens_[pos_] == "(") {
      if (depth >= kMaxLicenseExpressionDepth) return false;
      ++pos_;
      out_ += "(";
      if (!Expr(depth + 1)) return false;
      if (pos_ >= tokens_.size() || tokens_[pos_] != ")") return false;
      ++pos_;
      out_ += ")";
      return true;
    }
    if (!Simple(tokens_[pos_++], /*exception=*/false)) return false;
    if (pos_ < tokens_.size() && Operator(tokens_[pos_]) == "WITH") {
      ++pos_;
      out_ += " WITH ";
      return pos_ < tokens_.size() && Simple(tokens_[pos_++], true);
    }
    return true;
  }
  bool Simple(std::string_view t, bool exception) {
    if (!exception) {
      if (t.rfind("LicenseRef-", 0) == 0 && IsRefChars(t.substr(11))) {
        out_ += t;
        return true;
      }
      if (t.rfind("DocumentRef-", 0) == 0) {
        size_t colon = t.find(':');
        if (colon != std::string_view::npos &&
            IsRefChars(t.substr(12, colon - 12)) &&
            t.substr(colon + 1).rfind("LicenseRef-", 0) == 0 &&
            IsRefChars(t.substr(colon + 12))) {
          out_ += t;
          return true;
        }
        return false;
      }
    }
    bool plus = !exception && t.size() > 1 && t.back() == '+';
    if (plus) t.remove_suffix(1);
    std::string canonical;
    if (!IsSpdxLicenseId(t, &canonical)) return false;
    out_ += canonical + (plus ? "+" : "");
    return true;
  }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  std::string out_;
};

}  // namespace

bool IsSpdxLicenseId(std::string_view id, std::string* canonical) {
  std::string lower(id);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const auto& index = LicenseIndex();
  auto it = index.find(lower);
  if (it == index.end()) return false;
  if (canonical) *canonical = std::string(it->second);
  return true;
}

std::optional<std::string> NormalizeSpdxExpression(std::string_view s) {
  return ExpressionParser(s).Parse();
}

std::vector<std::string> SplitTopLevelAnd(std::string_view expression) {
  std::vector<std::string> parts;
  auto add = [&parts](std::string_view part) {
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    // Unwrap "(...)" when the first parenthesis closes at the very end.
    while (part.size() >= 2 && part.front() == '(' && part.back() == ')') {
      int depth = 0;
      size_t close = 0;
      for (size_t i = 0; i < part.size(); ++i) {
        if (part[i] == '(') ++depth;
        if (part[i] == ')' && --depth == 0) {
          close = i;
          break;
        }
      }
      if (close != part.size() - 1) break;
      part = part.substr(1, part.size() - 2);
    }
    if (!part.empty()) parts.emplace_back(part);
  };
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && expression.substr(i, 5) == " AND ") {
      add(expression.substr(start, i - start));
      start = i + 5;
      i += 4;
    }
  }
  add(expression.substr(start));
  return parts;
}

namespace {

constexpr std::string_view kNoAssertion = "NOASSERTION";

// licenseDeclared for a package; non-SPDX texts become LicenseRef-s whose
// text goes into `extracted` (licenseId -> text).
std::string DeclaredLicense(const std::vector<std::string>& licenses,
                            std::map<std::string, std::string>& extracted) {
  std::vector<std::string> parts;
  for (const std::string& text : licenses) {
    if (auto expr = NormalizeSpdxExpression(text)) {
      bool compound = expr->find(' ') != std::string::npos;
      parts.push_back(compound ? "(" + *expr + ")" : *expr);
      continue;
    }
    std::string ref = "LicenseRef-" + SanitizeId(text);
    if (auto it = extracted.find(ref);
        it != extracted.end() && it->second != text) {
      ref += "-" + Sha256Of(text).hex().substr(0, 12);
    }
    extracted[ref] = text;
    parts.push_back(ref);
  }
  if (parts.empty()) return std::string(kNoAssertion);
  if (parts.size() == 1 && parts[0].front() == '(') {
    return parts[0].substr(1, parts[0].size() - 2);
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " AND ") + p;
  return out;
}

std::string Supplier(const Package& p) {
  if (p.maintainer.empty()) return std::string(kNoAssertion);
  if (p.type == PackageType::kRpm) return "Organization: " + p.maintainer;
  // "Name <mail>" -> "Name (mail)", the SPDX agent syntax.
  std::string m = p.maintainer;
  std::replace(m.begin(), m.end(), '<', '(');
  std::replace(m.begin(), m.end(), '>', ')');
  return "Person: " + m;
}

json::Json ExternalRef(std::string_view category, std::string_view type,
                       std::string_view locator) {
  json::Json ref = json::Json::object();
  ref["referenceCategory"] = category;
  ref["referenceType"] = type;
  ref["referenceLocator"] = locator;
  return ref;
}

json::Json Relationship(std::string_view from, std::string_view type,
                        std::string_view to) {
  json::Json r = json::Json::object();
  r["spdxElementId"] = from;
  r["relationshipType"] = type;
  r["relatedSpdxElement"] = to;
  return r;
}

// The fields every SPDX package carries, with nothing asserted.
json::Json BarePackage(std::string_view spdx_id, std::string_view name) {
  json::Json pkg = json::Json::object();
  pkg["SPDXID"] = spdx_id;
  pkg["name"] = name;
  pkg["downloadLocation"] = kNoAssertion;
  pkg["filesAnalyzed"] = false;
  pkg["licenseConcluded"] = kNoAssertion;
  pkg["licenseDeclared"] = kNoAssertion;
  pkg["copyrightText"] = kNoAssertion;
  pkg["supplier"] = kNoAssertion;
  return pkg;
}

// pkg:oci/<repository basename>@<digest>?arch=..&tag=.. (syft style).
std::string ImagePurl(const Source& s) {
  std::string repo = s.repo_tags.empty() ? s.name : s.repo_tags[0];
  std::string tag;
  size_t colon = repo.rfind(':');
  if (colon != std::string::npos &&
      repo.find('/', colon) == std::string::npos) {
    tag = repo.substr(colon + 1);
    repo = repo.substr(0, colon);
  }
  std::string name = repo.substr(repo.rfind('/') + 1);
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  if (name.empty()) name = "image";
  std::string purl =
      "pkg:oci/" + PurlEncode(name) + "@" + PurlEncode(s.manifest_digest);
  std::string sep = "?";
  if (size_t slash = s.platform.find('/'); slash != std::string::npos) {
    std::string arch = s.platform.substr(slash + 1);
    arch = arch.substr(0, arch.find('/'));
    purl += sep + "arch=" + PurlEncode(arch);
    sep = "&";
  }
  if (!tag.empty()) purl += sep + "tag=" + PurlEncode(tag);
  return purl;
}

}  // namespace

std::string WriteSpdxJson(const Sbom& sbom, const WriteOptions& options) {
  const Source& src = sbom.source;
  std::string doc_name = src.name.empty() ? src.reference : src.name;
  if (doc_name.empty()) doc_name = "unknown";
  json::Json doc = json::Json::object();
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = doc_name;
  doc["documentNamespace"] =
      "https://strata.dev/spdx/" + SanitizeId(doc_name) + "-" +
      DeterministicUuid(DocumentSeed(sbom, "spdx-json", options));
  json::Json creation = json::Json::object();
  creation["created"] = Rfc3339(options.timestamp);
  json::Json creators = json::Json::array();
  creators.push_back("Organization: strata");
  creators.push_back("Tool: strata-" + (options.tool_version.empty()
                                            ? std::string("unknown")
                                            : options.tool_version));
  creation["creators"] = std::move(creators);
  doc["creationInfo"] = std::move(creation);

  json::Json packages = json::Json::array();
  json::Json relationships = json::Json::array();

  bool is_dir = src.manifest_digest.empty();
  std::string root_id = (is_dir ? "SPDXRef-DocumentRoot-Directory-"
                                : "SPDXRef-DocumentRoot-Image-") +
                        SanitizeId(doc_name);
  json::Json root = BarePackage(root_id, doc_name);
  root["primaryPackagePurpose"] = is_dir ? "FILE" : "CONTAINER";
  if (!is_dir) {
    root["versionInfo"] = src.manifest_digest;
    if (src.manifest_digest.rfind("sha256:", 0) == 0) {
      json::Json checksum = json::Json::object();
      checksum["algorithm"] = "SHA256";
      checksum["checksumValue"] = src.manifest_digest.substr(7);
      root["checksums"] = json::Json::array({checksum});
    }
    root["externalRefs"] = json::Json::array(
        {ExternalRef("PACKAGE-MANAGER", "purl", ImagePurl(src))});
  }
  packages.push_back(std::move(root));
  relationships.push_back(
      Relationship("SPDXRef-DOCUMENT", "DESCRIBES", root_id));

  if (!sbom.distro.empty()) {
    const Distro& d = sbom.distro;
    std::string os_id =
        "SPDXRef-OperatingSystem-" + SanitizeId(d.id + "-" + d.version_id);
    json::Json os = BarePackage(os_id, d.id);
    if (!d.version_id.empty()) os["versionInfo"] = d.version_id;
    if (!d.pretty_name.empty()) os["description"] = d.pretty_name;
    os["primaryPackagePurpose"] = "OPERATING_SYSTEM";  // the schema's spelling
    packages.push_back(std::move(os));
    relationships.push_back(Relationship(root_id, "CONTAINS", os_id));
  }

  std::map<std::string, std::string> spdx_ids;  // package id -> SPDXID
  std::set<std::string> used;
  std::map<std::string, std::string> extracted;
  for (const Package& p : sbom.packages) {
    std::string spdx_id = "SPDXRef-Package-" + SanitizeId(p.id);
    for (int n = 2; !used.insert(spdx_id).second; ++n) {
      spdx_id = "SPDXRef-Package-" + SanitizeId(p.id) + "-" + std::to_string(n);
    }
    spdx_ids.emplace(p.id, spdx_id);
    json::Json pkg = BarePackage(spdx_id, p.name);
    if (std::string v = FullVersion(p); !v.empty()) pkg["versionInfo"] = v;
    pkg["supplier"] = Supplier(p);
    pkg["licenseDeclared"] = DeclaredLicense(p.licenses, extracted);
    if (!p.description.empty()) pkg["summary"] = p.description;
    std::string info =
        "acquired package info from " +
        (p.cataloger.empty() ? std::string("unknown cataloger") : p.cataloger);
    for (size_t i = 0; i < p.locations.size(); ++i) {
      info += (i == 0 ? ": /" : ", /") + p.locations[i].path;
    }
    pkg["sourceInfo"] = info;
    if (!p.files.empty()) {
      pkg["comment"] = "owns " + std::to_string(p.files.size()) + " files";
    }
    json::Json refs = json::Json::array();
    if (!p.purl.empty()) {
      refs.push_back(ExternalRef("PACKAGE-MANAGER", "purl", p.purl));
    }
    for (const std::string& cpe : p.cpes) {
      refs.push_back(ExternalRef("SECURITY", "cpe23Type", cpe));
    }
    if (!refs.empty()) pkg["externalRefs"] = std::move(refs);
    packages.push_back(std::move(pkg));
    relationships.push_back(Relationship(root_id, "CONTAINS", spdx_id));
  }
  for (const sbom::Relationship& r : sbom.relationships) {
    auto from = spdx_ids.find(r.from), to = spdx_ids.find(r.to);
    if (r.type != "depends-on" || from == spdx_ids.end() ||
        to == spdx_ids.end()) {
      continue;
    }
    relationships.push_back(
        Relationship(from->second, "DEPENDS_ON", to->second));
  }
  doc["packages"] = std::move(packages);
  doc["relationships"] = std::move(relationships);
  if (!extracted.empty()) {
    json::Json infos = json::Json::array();
    for (const auto& [id, text] : extracted) {
      json::Json info = json::Json::object();
      info["licenseId"] = id;
      info["extractedText"] = text;
      info["name"] = text;
      infos.push_back(std::move(info));
    }
    doc["hasExtractedLicensingInfos"] = std::move(infos);
  }
  return json::Dump(doc, 2) + "\n";
}

namespace {

constexpr std::string_view kAcquiredPrefix = "acquired package info from ";

// "Person: Name (mail)" -> "Name <mail>".
std::string MaintainerFromSupplier(std::string s) {
  if (s == kNoAssertion || s == "NONE") return "";
  for (std::string_view prefix : {"Person: ", "Organization: "}) {
    if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  }
  size_t open = s.rfind(" (");
  if (!s.empty() && s.back() == ')' && open != std::string::npos &&
      s.find('@', open) != std::string::npos) {
    s[open + 1] = '<';
    s.back() = '>';
  }
  return s;
}

Status ReadSpdxPackage(const json::Json& j,
                       const std::map<std::string, std::string>& extracted,
                       Sbom& sbom, std::map<std::string, std::string>& ids) {
  if (!j.is_object()) return DataLossError("not an object");
  ASSIGN_OR_RETURN(auto spdx_id, json::GetString(j, "SPDXID"));
  ASSIGN_OR_RETURN(auto name, json::GetString(j, "name"));
  ASSIGN_OR_RETURN(auto version, json::GetString(j, "versionInfo"));
  ASSIGN_OR_RETURN(auto purpose, json::GetString(j, "primaryPackagePurpose"));
  ASSIGN_OR_RETURN(auto description, json::GetString(j, "description"));
  if (!spdx_id) return DataLossError("missing SPDXID");
  if (purpose == "CONTAINER" ||
      spdx_id->rfind("SPDXRef-DocumentRoot-", 0) == 0) {
    if (version && version->rfind("sha256:", 0) == 0) {
      sbom.source.manifest_digest = *version;
    }
    return Status::Ok();
  }
  if (purpose == "OPERATING_SYSTEM" || purpose == "OPERATING-SYSTEM") {
    if (sbom.distro.empty()) {
      sbom.distro.id = name.value_or("");
      sbom.distro.version_id = version.value_or("");
      sbom.distro.pretty_name = description.value_or("");
    }
    return Status::Ok();
  }
  Package p;
  constexpr std::string_view kPackagePrefix = "SPDXRef-Package-";
  p.id = spdx_id->rfind(kPackagePrefix, 0) == 0
             ? spdx_id->substr(kPackagePrefix.size())
             : *spdx_id;
  p.name = name.value_or("");
  p.version = version.value_or("");
  ASSIGN_OR_RETURN(auto supplier, json::GetString(j, "supplier"));
  p.maintainer = MaintainerFromSupplier(supplier.value_or(""));
  ASSIGN_OR_RETURN(auto summary, json::GetString(j, "summary"));
  p.description = summary.value_or("");
  ASSIGN_OR_RETURN(auto declared, json::GetString(j, "licenseDeclared"));
  if (declared && *declared != kNoAssertion && *declared != "NONE") {
    for (std::string& part : SplitTopLevelAnd(*declared)) {
      auto it = extracted.find(part);
      p.licenses.push_back(it == extracted.end() ? part : it->second);
    }
  }
  ASSIGN_OR_RETURN(auto source_info, json::GetString(j, "sourceInfo"));
  if (source_info && source_info->rfind(kAcquiredPrefix, 0) == 0) {
    std::string_view rest = *source_info;
    rest.remove_prefix(kAcquiredPrefix.size());
    size_t colon = rest.find(": ");
    p.cataloger = std::string(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? "" : rest.substr(colon + 2);
    while (!rest.empty()) {
      size_t comma = rest.find(", ");
      std::string_view path = rest.substr(0, comma);
      while (!path.empty() && path.front() == '/') path.remove_prefix(1);
      if (p.locations.size() < kMaxSbomArrayItems) {
        p.locations.push_back(Location{std::string(path), -1, ""});
      }
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 2);
    }
  }
  ASSIGN_OR_RETURN(const json::Json* refs, json::GetArray(j, "externalRefs"));
  if (refs) {
    RETURN_IF_ERROR(CheckArraySize(*refs, "externalRefs"));
    for (const json::Json& ref : *refs) {
      ASSIGN_OR_RETURN(auto type, json::GetString(ref, "referenceType"));
      ASSIGN_OR_RETURN(auto locator, json::GetString(ref, "referenceLocator"));
      if (!locator) continue;
      if (type == "purl" && p.purl.empty()) p.purl = *locator;
      if (type == "cpe23Type") p.cpes.push_back(*locator);
    }
  }
  if (!ApplyPurlOrRecordUnknown(p, sbom)) return Status::Ok();
  ids[*spdx_id] = p.id;
  sbom.packages.push_back(std::move(p));
  return Status::Ok();
}

}  // namespace

Result<Sbom> ReadSpdxJson(const json::Json& doc) {
  Sbom sbom;
  auto read = [&]() -> Status {
    ASSIGN_OR_RETURN(auto name, json::GetString(doc, "name"));
    sbom.source.name = name.value_or("");
    std::map<std::string, std::string> extracted;
    ASSIGN_OR_RETURN(const json::Json* infos,
                     json::GetArray(doc, "hasExtractedLicensingInfos"));
    if (infos) {
      RETURN_IF_ERROR(CheckArraySize(*infos, "hasExtractedLicensingInfos"));
      for (const json::Json& info : *infos) {
        ASSIGN_OR_RETURN(auto id, json::GetString(info, "licenseId"));
        ASSIGN_OR_RETURN(auto text, json::GetString(info, "extractedText"));
        if (id && text) extracted[*id] = *text;
      }
    }
    std::map<std::string, std::string> ids;  // SPDXID -> package id
    ASSIGN_OR_RETURN(const json::Json* packages,
                     json::GetArray(doc, "packages"));
    if (packages) {
      RETURN_IF_ERROR(CheckArraySize(*packages, "packages"));
      for (size_t i = 0; i < packages->size(); ++i) {
        RETURN_IF_ERROR(
            ReadSpdxPackage((*packages)[i], extracted, sbom, ids)
                .WithContext("packages[" + std::to_string(i) + "]"));
      }
    }
    ASSIGN_OR_RETURN(const json::Json* rels,
                     json::GetArray(doc, "relationships"));
    if (!rels) return Status::Ok();
    RETURN_IF_ERROR(CheckArraySize(*rels, "relationships"));
    auto read_relationship = [&](const json::Json& r) -> Status {
      ASSIGN_OR_RETURN(auto from, json::GetString(r, "spdxElementId"));
      ASSIGN_OR_RETURN(auto type, json::GetString(r, "relationshipType"));
      ASSIGN_OR_RETURN(auto to, json::GetString(r, "relatedSpdxElement"));
      if (!from || !type || !to) {
        return DataLossError(
            "missing spdxElementId, relationshipType or relatedSpdxElement");
      }
      if (*type == "DEPENDENCY_OF") std::swap(from, to);
      if (*type != "DEPENDS_ON" && *type != "DEPENDENCY_OF") {
        return Status::Ok();
      }
      auto f = ids.find(*from), t = ids.find(*to);
      if (f != ids.end() && t != ids.end()) {
        sbom.relationships.push_back({f->second, t->second, "depends-on"});
      }
      return Status::Ok();
    };
    for (size_t i = 0; i < rels->size(); ++i) {
      RETURN_IF_ERROR(
          read_relationship((*rels)[i])
              .WithContext("relationships[" + std::to_string(i) + "]"));
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(read().WithContext("spdx document"));
  return sbom;
}

}  // namespace strata::sbom::internal
