# Downloads the gems Gemfile.lock names for this machine into vendor/cache, 8 at a time, for
# `bundle install --local`, which checks each against the lock's CHECKSUMS. Why: Bundler alone first fetches the
# metadata of every version of every dependency, two requests at a time (30-40 s of silence on a cold machine).
require "fileutils"
require "net/http"

cache = File.join(__dir__, "vendor", "cache")
FileUtils.mkdir_p(cache)
defaults = Gem::Specification.default_stubs.map(&:full_name)
entries = File.read(File.join(__dir__, "Gemfile.lock"))[/^GEM\n.*?\n\n/m].scan(/^    (\S+) \((\S+)\)$/)
files = entries.group_by(&:first).filter_map do |_, versions|
  variants = versions.map { |name, locked| [name, *locked.split("-", 2)] }
  native = variants.find { |_, _, platform| platform && Gem::Platform.new(platform) === Gem::Platform.local }
  name, version, platform = native || variants.find { |_, _, platform| platform.nil? }
  # Ruby's own copy (a default gem) is used as it is: nothing to download or compile.
  [name, version, platform].compact.join("-") unless defaults.include?("#{name}-#{version}")
end

def download(uri, to, hops = 3)
  Net::HTTP.get_response(uri).then do |response|
    next download(URI(response["location"]), to, hops - 1) if response.is_a?(Net::HTTPRedirection) && hops > 0
    raise "#{uri}: HTTP #{response.code}" unless response.is_a?(Net::HTTPSuccess)
    File.binwrite("#{to}.part", response.body)
    File.rename("#{to}.part", to)
  end
end

# Closed up front: pop returns nil once it is empty.
queue = Queue.new(files.reject { |file| File.exist?(File.join(cache, "#{file}.gem")) }).tap(&:close)
count = queue.size
Array.new(8) do
  Thread.new do
    while (file = queue.pop)
      download(URI("https://rubygems.org/gems/#{file}.gem"), File.join(cache, "#{file}.gem"))
    end
  end
end.each(&:join)
puts "Downloaded #{count} gems."
