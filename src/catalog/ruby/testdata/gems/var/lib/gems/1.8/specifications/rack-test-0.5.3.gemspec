# -*- encoding: utf-8 -*-

Gem::Specification.new do |s|
  s.name = %q{rack-test}
  s.version = "0.5.3"

  s.required_rubygems_version = Gem::Requirement.new(">= 0") if s.respond_to? :required_rubygems_version=
  s.authors = ["Bryan Helmkamp"]
  s.date = %q{2009-11-27}
  s.description = %q{Rack::Test is a small, simple testing API for Rack apps. It can be used on its
own or as a reusable starting point for Web frameworks and testing libraries
to build on.}
  s.email = %q{bryan@brynary.com}
  s.extra_rdoc_files = ["README.rdoc", "MIT-LICENSE.txt"]
  s.files = ["History.txt", "MIT-LICENSE.txt", "README.rdoc", "Rakefile",
    "lib/rack/mock_session.rb", "lib/rack/test.rb",
    "lib/rack/test/cookie_jar.rb", "../../../../../../../etc/passwd"]
  s.homepage = %q{http://github.com/brynary/rack-test}
  s.license = 'MIT'
  s.require_paths = ["lib"]
  s.rubyforge_project = %q{rack-test}
  s.rubygems_version = %q{1.3.5}
  s.summary = %q{Simple testing API built on Rack}

  if s.respond_to? :specification_version then
    current_version = Gem::Specification::CURRENT_SPECIFICATION_VERSION
    s.specification_version = 3

    if Gem::Version.new(Gem::RubyGemsVersion) >= Gem::Version.new('1.2.0') then
      s.add_runtime_dependency(%q<rack>, [">= 1.0"])
      s.add_development_dependency(%q<rspec>, [">= 1.2.9"])
    else
      s.add_dependency(%q<rack>, [">= 1.0"])
      s.add_dependency(%q<rspec>, [">= 1.2.9"])
    end
  else
    s.add_dependency(%q<rack>, [">= 1.0"])
    s.add_dependency(%q<rspec>, [">= 1.2.9"])
  end
end
