# -*- encoding: utf-8 -*-
# stub: broken 1.0 ruby lib

Gem::Specification.new do |s|
  s.name = "broken".freeze
  s.version = "1.0"
  s.licenses = ["MIT".freeze, "Apache-2.0
end
