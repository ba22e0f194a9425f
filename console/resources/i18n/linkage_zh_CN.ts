<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlertControls</name>
    <message>
        <source>Jump to the oldest waiting case</source>
        <translation>跳到等待最久的案件</translation>
    </message>
    <message>
        <source>Acknowledge the alert</source>
        <translation>确认提醒</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>Sound for a new P1 or P2 case</source>
        <translation>新 P1、P2 案件响铃</translation>
    </message>
    <message>
        <source>Sound when a deadline is 80 % used</source>
        <translation>时限用去 80% 时响铃</translation>
    </message>
    <message>
        <source>Sound when a case is overdue</source>
        <translation>案件超时响铃</translation>
    </message>
</context>
<context>
    <name>AttachmentGallery</name>
    <message>
        <source>Fetching {name} from the hub…</source>
        <translation>正在从中心服务获取 {name}…</translation>
    </message>
    <message>
        <source>The hub did not send the file; try again.</source>
        <translation>中心服务未发送该文件，请重试。</translation>
    </message>
    <message>
        <source>No program on this computer opens {name}; it is saved as {path}.</source>
        <translation>本机没有可打开 {name} 的程序；文件已保存为 {path}。</translation>
    </message>
</context>
<context>
    <name>AuditDock</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Last hour</source>
        <extracomment>The periods the dock offers, back from now (None: the whole trail).</extracomment>
        <translation>最近一小时</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>row {missing} is missing</source>
        <extracomment>The action prefixes offered (the field also takes any other). The hub&apos;s reasons a chain does not verify (console/store/audit.py), for lupdate.</extracomment>
        <translation>第 {missing} 行缺失</translation>
    </message>
    <message>
        <source>does not follow the row before it</source>
        <translation>与前一行接不上</translation>
    </message>
    <message>
        <source>its contents do not match its hash</source>
        <translation>内容与其哈希不符</translation>
    </message>
    <message>
        <source>Verifying the chain…</source>
        <translation>正在校验哈希链…</translation>
    </message>
    <message>
        <source>Reading the audit trail…</source>
        <translation>正在读取审计记录…</translation>
    </message>
    <message>
        <source>{n} rows shown</source>
        <translation>已显示 {n} 行</translation>
    </message>
    <message>
        <source>The chain is sound: {rows} rows checked; head {head}</source>
        <translation>哈希链完好：已校验 {rows} 行；链头 {head}</translation>
    </message>
    <message>
        <source>The chain is broken at row {row}: {why}. Rows before it: {rows}, head {head}</source>
        <translation>哈希链在第 {row} 行断开：{why}。此前 {rows} 行完好，链头 {head}</translation>
    </message>
    <message>
        <source>The hub did not answer; try again when the console is connected.</source>
        <translation>服务器未应答；请在控制台连接后重试。</translation>
    </message>
    <message>
        <source>any action</source>
        <translation>任意操作</translation>
    </message>
    <message>
        <source>any user</source>
        <translation>任意用户</translation>
    </message>
    <message>
        <source>&amp;Period</source>
        <translation>时段(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;User</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Action</source>
        <translation>操作(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Older</source>
        <translation>更早</translation>
    </message>
    <message>
        <source>&amp;Verify chain</source>
        <translation>校验哈希链(&amp;V)</translation>
    </message>
</context>
<context>
    <name>BasemapDialog</name>
    <message>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
    <message>
        <source>No tiles: the district&apos;s boundaries only</source>
        <translation>不用瓦片：只显示辖区边界</translation>
    </message>
    <message>
        <source>Tile server (XYZ address)</source>
        <translation>瓦片服务器（XYZ 地址）</translation>
    </message>
    <message>
        <source>Offline tiles (MBTiles file)</source>
        <translation>离线瓦片（MBTiles 文件）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>The tiles are in GCJ-02 (shift positions to match)</source>
        <translation>瓦片为 GCJ-02 坐标（位置随之偏移）</translation>
    </message>
    <message>
        <source>Tile address:</source>
        <translation>瓦片地址：</translation>
    </message>
    <message>
        <source>Deepest zoom of the server:</source>
        <translation>服务器最大缩放级别：</translation>
    </message>
    <message>
        <source>MBTiles file:</source>
        <translation>MBTiles 文件：</translation>
    </message>
    <message>
        <source>MBTiles file</source>
        <translation>MBTiles 文件</translation>
    </message>
    <message>
        <source>MBTiles (*.mbtiles);;All files (*)</source>
        <translation>MBTiles (*.mbtiles);;所有文件 (*)</translation>
    </message>
    <message>
        <source>This file cannot be used: {error}</source>
        <translation>此文件无法使用：{error}</translation>
    </message>
    <message>
        <source>The tile address must start with http:// or https:// and a server name.</source>
        <translation>瓦片地址须以 http:// 或 https:// 加服务器名开头。</translation>
    </message>
    <message>
        <source>The tile address must contain {z}, {x} and {y}.</source>
        <translation>瓦片地址须包含 {z}、{x} 和 {y}。</translation>
    </message>
</context>
<context>
    <name>CommandHelp</name>
    <message>
        <source>also</source>
        <translation>也可输入</translation>
    </message>
    <message>
        <source>Steps for U: {steps}. Statuses for S: {statuses}. A prefix is enough (U U45 on). Tab completes; Up and Down walk the history.</source>
        <translation>U 的步骤：{steps}。S 的状态：{statuses}。输入开头几个字母即可（U U45 on）。Tab 补全，上下方向键翻阅历史。</translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>{id} accepted.</source>
        <translation>{id} 已受理。</translation>
    </message>
    <message>
        <source>{id} rejected.</source>
        <translation>{id} 不予受理。</translation>
    </message>
    <message>
        <source>{unit} dispatched to {id}.</source>
        <translation>已派遣 {unit} 处置 {id}。</translation>
    </message>
    <message>
        <source>{id} is now {status}.</source>
        <translation>{id} 状态已改为{status}。</translation>
    </message>
    <message>
        <source>{id} closed.</source>
        <translation>{id} 已结案。</translation>
    </message>
    <message>
        <source>{id}: verification recorded.</source>
        <translation>{id}：核查结果已记录。</translation>
    </message>
    <message>
        <source>{id} assigned to {department}.</source>
        <translation>{id} 已交办{department}。</translation>
    </message>
    <message>
        <source>Note added to {id}.</source>
        <translation>已为 {id} 添加备注。</translation>
    </message>
    <message>
        <source>{id} escalated to the police.</source>
        <translation>{id} 已移交公安。</translation>
    </message>
    <message>
        <source>{id} merged into {into}.</source>
        <translation>{id} 已合并到 {into}。</translation>
    </message>
    <message>
        <source>{id} reopened.</source>
        <translation>{id} 已重新启动。</translation>
    </message>
    <message>
        <source>{unit} on {id}: {step}.</source>
        <translation>{unit} 在 {id} 的任务：{step}。</translation>
    </message>
    <message>
        <source>{id} assigned to {department}, with {co}.</source>
        <translation>{id} 已交办{department}，协办：{co}。</translation>
    </message>
    <message>
        <source>Sending…</source>
        <extracomment>The word a completion inserts (the popup shows a longer label). The units to offer for an incident, best first (the map dock&apos;s ranking); None: the console has no positions, and completion offers units by id.</extracomment>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>Dispatch {unit} {name} ({type}, {eta}) to {id}? Enter sends it, Esc cancels.</source>
        <translation>派 {unit} {name}（{type}，{eta}）前往 {id}？回车确认，Esc 取消。</translation>
    </message>
    <message>
        <source>Offline: not connected to the hub; the command was not sent.</source>
        <translation>离线：未连接到服务器，命令未发送。</translation>
    </message>
    <message>
        <source>Not dispatched.</source>
        <translation>未派遣。</translation>
    </message>
    <message>
        <source>recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <source>fits the plan</source>
        <translation>符合预案</translation>
    </message>
    <message>
        <source>reporter satisfied</source>
        <translation>反映人满意</translation>
    </message>
    <message>
        <source>reporter basically satisfied</source>
        <translation>报告人基本满意</translation>
    </message>
    <message>
        <source>reporter not satisfied</source>
        <translation>反映人不满意</translation>
    </message>
    <message>
        <source>Command — H for help (A 123 accept, D 123 U45 …)</source>
        <translation>命令 — 输入 H 查看帮助（A 123 受理，D 123 U45 派遣…）</translation>
    </message>
    <message>
        <source>A &lt;incident&gt;</source>
        <translation>A &lt;事件号&gt;</translation>
    </message>
    <message>
        <source>accept</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>K &lt;incident&gt; &lt;category code&gt;</source>
        <translation>K &lt;事件号&gt; &lt;类别代码&gt;</translation>
    </message>
    <message>
        <source>classify a police case awaiting classification</source>
        <translation>为待分类的警务分流事件定类</translation>
    </message>
    <message>
        <source>R &lt;incident&gt; &lt;reason…&gt;</source>
        <translation>R &lt;事件号&gt; &lt;理由…&gt;</translation>
    </message>
    <message>
        <source>reject, with a reason</source>
        <translation>不予受理（须说明理由）</translation>
    </message>
    <message>
        <source>D &lt;incident&gt; &lt;unit&gt; [&lt;unit&gt;…]</source>
        <translation>D &lt;事件号&gt; &lt;力量&gt; [&lt;力量&gt;…]</translation>
    </message>
    <message>
        <source>dispatch field units</source>
        <translation>派遣外勤力量</translation>
    </message>
    <message>
        <source>F &lt;incident&gt;</source>
        <translation>F &lt;事件号&gt;</translation>
    </message>
    <message>
        <source>find and open an incident</source>
        <translation>查找并打开事件</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>new intake</source>
        <translation>新建登记</translation>
    </message>
    <message>
        <source>U [&lt;incident&gt;] &lt;unit&gt; &lt;step&gt;</source>
        <translation>U [&lt;事件号&gt;] &lt;力量&gt; &lt;步骤&gt;</translation>
    </message>
    <message>
        <source>a unit&apos;s progress on its assignment: ack, en_route, on_scene, cleared, cancel</source>
        <translation>力量任务进展：ack（确认）、en_route（出发）、on_scene（到场）、cleared（完成）、cancel（取消）</translation>
    </message>
    <message>
        <source>S &lt;unit&gt; [&lt;unit&gt;…] &lt;status&gt;</source>
        <translation>S &lt;力量&gt; [&lt;力量&gt;…] &lt;状态&gt;</translation>
    </message>
    <message>
        <source>unit status: off_duty, available, busy, out_of_service</source>
        <translation>设置力量状态：off_duty（下班）、available（空闲）、busy（忙碌）、out_of_service（停用）</translation>
    </message>
    <message>
        <source>C &lt;incident&gt;</source>
        <translation>C &lt;事件号&gt;</translation>
    </message>
    <message>
        <source>close</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>V &lt;incident&gt; ok|fail [&lt;note…&gt;]</source>
        <translation>V &lt;事件号&gt; ok|fail [&lt;备注…&gt;]</translation>
    </message>
    <message>
        <source>verify by callback (fail needs a note)</source>
        <translation>回访核查（fail 须填写备注）</translation>
    </message>
    <message>
        <source>G &lt;incident&gt; [&lt;department&gt; [&lt;co-handler&gt;…]]</source>
        <translation>G &lt;事件号&gt; [&lt;主办部门&gt; [&lt;协办部门&gt;…]]</translation>
    </message>
    <message>
        <source>assign to a department</source>
        <translation>交办部门</translation>
    </message>
    <message>
        <source>X &lt;incident&gt; &lt;text…&gt;</source>
        <translation>X &lt;事件号&gt; &lt;内容…&gt;</translation>
    </message>
    <message>
        <source>add a note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>E &lt;incident&gt; &lt;reason…&gt;</source>
        <translation>E &lt;事件号&gt; &lt;理由…&gt;</translation>
    </message>
    <message>
        <source>escalate to the police</source>
        <translation>移交公安</translation>
    </message>
    <message>
        <source>M &lt;incident&gt; &lt;into&gt;</source>
        <translation>M &lt;事件号&gt; &lt;目标事件号&gt;</translation>
    </message>
    <message>
        <source>merge a duplicate into another incident</source>
        <translation>将重复事件合并到另一事件</translation>
    </message>
    <message>
        <source>O &lt;incident&gt; &lt;reason…&gt;</source>
        <translation>O &lt;事件号&gt; &lt;理由…&gt;</translation>
    </message>
    <message>
        <source>reopen a closed incident</source>
        <translation>重新启动已结案事件</translation>
    </message>
    <message>
        <source>H</source>
        <translation>H</translation>
    </message>
    <message>
        <source>this help</source>
        <translation>显示本帮助</translation>
    </message>
    <message>
        <source>Missing {what}. Usage: {usage}</source>
        <extracomment>基本满意: verified, on the scale&apos;s middle step (console/domain/satisfaction.py).</extracomment>
        <translation>缺少{what}。用法：{usage}</translation>
    </message>
    <message>
        <source>&apos;{token}&apos; is not an incident number (123 or CH-20261127-000123).</source>
        <extracomment>Statuses a dispatcher sets by hand (the others follow from assignments). The steps ``U`` reports, in the order a unit takes them (the hub says which it may take).</extracomment>
        <translation>“{token}”不是事件号（应为 123 或 CH-20261127-000123 形式）。</translation>
    </message>
    <message>
        <source>No incident numbered {number} is on this console.</source>
        <translation>本控制台上没有编号为 {number} 的事件。</translation>
    </message>
    <message>
        <source>{number} could be {candidates}; type the full id.</source>
        <translation>{number} 可能是 {candidates}，请输入完整编号。</translation>
    </message>
    <message>
        <source>No unit &apos;{token}&apos; is on this console.</source>
        <translation>本控制台上没有力量“{token}”。</translation>
    </message>
    <message>
        <source>&apos;{token}&apos; could be {candidates}.</source>
        <translation>“{token}”可能是 {candidates}。</translation>
    </message>
    <message>
        <source>&apos;{token}&apos; follows from an assignment; use D to dispatch instead.</source>
        <translation>“{token}”状态由派遣任务决定，请改用 D 命令派遣。</translation>
    </message>
    <message>
        <source>&apos;{token}&apos; is not a status; use {statuses}.</source>
        <translation>“{token}”不是有效状态，可用状态：{statuses}。</translation>
    </message>
    <message>
        <source>&apos;{token}&apos; is not a step of an assignment; use {steps}.</source>
        <translation>“{token}”不是任务步骤，可用步骤：{steps}。</translation>
    </message>
    <message>
        <source>There is no department &apos;{token}&apos;.</source>
        <translation>没有部门“{token}”。</translation>
    </message>
    <message>
        <source>Type a command; H lists them.</source>
        <translation>请输入命令；输入 H 查看命令列表。</translation>
    </message>
    <message>
        <source>Unknown command &apos;{verb}&apos;; type H for the list.</source>
        <translation>未知命令“{verb}”；输入 H 查看命令列表。</translation>
    </message>
    <message>
        <source>Too many words (&apos;{extra}&apos;). Usage: {usage}</source>
        <translation>多余的内容（“{extra}”）。用法：{usage}</translation>
    </message>
    <message>
        <source>the incident number</source>
        <translation>事件号</translation>
    </message>
    <message>
        <source>a unit</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>the status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>the step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>{unit} was not dispatched to {id}.</source>
        <translation>{unit} 未派往 {id}。</translation>
    </message>
    <message>
        <source>{unit} is on no assignment here; name the incident: U &lt;incident&gt; {unit} &lt;step&gt;.</source>
        <translation>{unit} 在本席位没有进行中的任务；请写明事件：U &lt;事件号&gt; {unit} &lt;步骤&gt;。</translation>
    </message>
    <message>
        <source>ok or fail</source>
        <translation>ok 或 fail</translation>
    </message>
    <message>
        <source>&apos;{token}&apos; is neither ok nor fail.</source>
        <translation>“{token}”既不是 ok 也不是 fail。</translation>
    </message>
    <message>
        <source>Say why the reporter is not satisfied: V {number} fail &lt;note…&gt;</source>
        <translation>请说明反映人不满意的原因：V {number} fail &lt;备注…&gt;</translation>
    </message>
    <message>
        <source>the incident to merge into</source>
        <translation>要合并到的事件</translation>
    </message>
    <message>
        <source>a reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>the category code</source>
        <translation>类别代码</translation>
    </message>
    <message>
        <source>the note</source>
        <translation>备注内容</translation>
    </message>
    <message>
        <source>Commands (123 = the incident&apos;s short number):</source>
        <translation>命令（123 = 事件短号）：</translation>
    </message>
</context>
<context>
    <name>ConnectionBanner</name>
    <message numerus="yes">
        <source>Cannot reach {url} — retrying in %n s</source>
        <extracomment>How often the countdown is redrawn: a second&apos;s digit never lags by more than this.</extracomment>
        <translation>
            <numerusform>无法连接 {url}，%n 秒后重试</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot reach {url} — retrying now…</source>
        <translation>无法连接 {url}，正在重试…</translation>
    </message>
    <message>
        <source>Not connected to the hub ({state}). The queue shows the last known state and is not updating; actions are refused until the connection is back.</source>
        <translation>未连接到服务器（{state}）。工单队列显示的是最后已知状态，不再更新；连接恢复前无法执行任何操作。</translation>
    </message>
    <message numerus="yes">
        <source>Next attempt in %n s.</source>
        <translation>
            <numerusform>%n 秒后重试。</numerusform>
        </translation>
    </message>
    <message>
        <source>“{address}” is not a hub address; write it as ws://host:port or wss://host:port.</source>
        <translation>“{address}”不是服务器地址，请写成 ws://主机:端口 或 wss://主机:端口。</translation>
    </message>
    <message>
        <source>Hub address:</source>
        <translation>服务器地址：</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
</context>
<context>
    <name>ConnectionStatus</name>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Synchronising…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>正在重连…</translation>
    </message>
    <message>
        <source>Login refused</source>
        <translation>登录被拒绝</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
</context>
<context>
    <name>Console</name>
    <message>
        <source>Internal error: {error}. It has been logged; the console carries on.</source>
        <translation>内部错误：{error}。已记入日志，调度台继续运行。</translation>
    </message>
</context>
<context>
    <name>ConsoleApp</name>
    <message>
        <source>Quit Linkage Console</source>
        <extracomment>The one Quit action (Ctrl+Q) every window&apos;s File menu holds. The question before quitting stops this process&apos;s hub, while it is asked. Leave the Qt event loop when the console quits (the program; not in tests).</extracomment>
        <translation>退出大联动调度台</translation>
    </message>
    <message>
        <source>Quitting stops the hub this console runs at {url}, and the demo&apos;s simulators with it.</source>
        <translation>退出将停止本调度台在 {url} 运行的服务器，演示模拟器也随之停止。</translation>
    </message>
    <message numerus="yes">
        <source>%n other console(s) connected to it will lose their connection.</source>
        <translation>
            <numerusform>连接到该服务器的其他 %n 个调度台将断开连接。</numerusform>
        </translation>
    </message>
    <message>
        <source>Quit and stop the hub</source>
        <translation>退出并停止服务器</translation>
    </message>
</context>
<context>
    <name>ConsoleStatusBar</name>
    <message>
        <source>No event yet</source>
        <translation>尚无事件</translation>
    </message>
    <message numerus="yes">
        <source>Last event %n s ago</source>
        <translation>
            <numerusform>最近事件：%n 秒前</numerusform>
        </translation>
    </message>
    <message>
        <source>110 link up</source>
        <translation>110 联网正常</translation>
    </message>
    <message>
        <source>110 link down since {time}</source>
        <translation>110 联网自 {time} 中断</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n 条待送达</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>police cases overdue: %n</source>
        <translation>
            <numerusform>警务分流事项超时：%n 件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>Incidents per hour, last 24 hours, by source</source>
        <translation>近24小时每小时事件数（按来源）</translation>
    </message>
    <message>
        <source>Police hand-offs</source>
        <translation>警务移交</translation>
    </message>
    <message>
        <source>Open incidents by category</source>
        <translation>未结案事件（按类别）</translation>
    </message>
    <message>
        <source>Open incidents by street</source>
        <translation>未结案事件（按街道）</translation>
    </message>
    <message>
        <source>Overdue open incidents by lead department</source>
        <translation>超时未结案事件（按主办部门）</translation>
    </message>
    <message>
        <source>On time per SLA stage, last 24 hours</source>
        <translation>近24小时各环节按时率</translation>
    </message>
    <message>
        <source>Units by type and status</source>
        <translation>力量（按类型和状态）</translation>
    </message>
    <message>
        <source>No street</source>
        <translation>无所属街道</translation>
    </message>
    <message>
        <source>Center (no lead department)</source>
        <translation>中心（未定主办部门）</translation>
    </message>
    <message>
        <source>{n} others</source>
        <translation>其他 {n} 项</translation>
    </message>
    <message>
        <source>{start} – {end} · updated {time}</source>
        <translation>{start} – {end} · 更新于 {time}</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>统计中…</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Last 24 h</source>
        <translation>近24小时</translation>
    </message>
    <message>
        <source>This hour</source>
        <translation>本小时</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>事件类别</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>未结案</translation>
    </message>
    <message>
        <source>Lead department</source>
        <translation>主办部门</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>按时</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已完成计时</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>按时率</translation>
    </message>
    <message>
        <source>Unit type</source>
        <translation>力量类型</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Hand-off</source>
        <translation>移交</translation>
    </message>
    <message>
        <source>Open now</source>
        <translation>当前未结案</translation>
    </message>
    <message>
        <source>Diverted in</source>
        <translation>分流转入</translation>
    </message>
    <message>
        <source>Escalated out</source>
        <translation>移交公安</translation>
    </message>
    <message>
        <source>Available</source>
        <extracomment>Unit statuses grouped as the duty leader reads them: free, committed, held, away.</extracomment>
        <translation>空闲</translation>
    </message>
    <message>
        <source>On an assignment</source>
        <translation>执行任务中</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>下班</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>停用</translation>
    </message>
</context>
<context>
    <name>EmergencyBoard</name>
    <message>
        <source>Declare…</source>
        <extracomment>The board&apos;s commands, their keys and their button labels.</extracomment>
        <translation>宣布…</translation>
    </message>
    <message>
        <source>Link incident…</source>
        <translation>关联事件…</translation>
    </message>
    <message>
        <source>Commit unit…</source>
        <translation>投入力量…</translation>
    </message>
    <message>
        <source>Timeline note…</source>
        <translation>记录进展…</translation>
    </message>
    <message>
        <source>Broadcast…</source>
        <translation>广播…</translation>
    </message>
    <message>
        <source>Stand down…</source>
        <translation>解除…</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Major incident</source>
        <translation>重大事件</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Commander</source>
        <translation>指挥长</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>事件数</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>力量数</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>预警时间</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>declared: {text}</source>
        <translation>宣布：{text}</translation>
    </message>
    <message>
        <source>linked {text}</source>
        <translation>关联 {text}</translation>
    </message>
    <message>
        <source>committed {text}</source>
        <translation>投入 {text}</translation>
    </message>
    <message>
        <source>noted: {text}</source>
        <translation>记录：{text}</translation>
    </message>
    <message>
        <source>broadcast: {text}</source>
        <translation>广播：{text}</translation>
    </message>
    <message>
        <source>stood down: {text}</source>
        <translation>解除：{text}</translation>
    </message>
    <message>
        <source>active</source>
        <extracomment>The incident in hand elsewhere (the queue&apos;s current one): the default centre of a declaration and the default incident to link. The form open now, if any (tests fill it and call ``accept()``).</extracomment>
        <translation>处置中</translation>
    </message>
    <message>
        <source>stood down</source>
        <translation>已解除</translation>
    </message>
    <message>
        <source>Active major incidents: %n</source>
        <translation>处置中的重大事件：%n</translation>
    </message>
    <message>
        <source>No major incident.</source>
        <translation>暂无重大事件。</translation>
    </message>
    <message>
        <source>{id} · {level} · {title} · commander {commander}</source>
        <translation>{id} · {level} · {title} · 指挥长 {commander}</translation>
    </message>
    <message>
        <source>Area: {area}</source>
        <translation>区域：{area}</translation>
    </message>
    <message>
        <source>Latest broadcast ({time}): {message}</source>
        <translation>最新广播（{time}）：{message}</translation>
    </message>
    <message>
        <source>Stood down {time}: {summary}</source>
        <translation>{time} 解除：{summary}</translation>
    </message>
    <message>
        <source>{count} in {minutes} min (usually {usual:.1f})</source>
        <translation>{minutes} 分钟内 {count} 件（通常 {usual:.1f}）</translation>
    </message>
    <message>
        <source>acknowledged by {who} {time}</source>
        <translation>{who} 已于 {time} 确认</translation>
    </message>
    <message>
        <source>unacknowledged</source>
        <translation>未确认</translation>
    </message>
    <message>
        <source>Early warnings: %n unacknowledged</source>
        <translation>研判预警：%n 条未确认</translation>
    </message>
    <message>
        <source>grid {name}</source>
        <translation>网格 {name}</translation>
    </message>
    <message>
        <source>community {name}</source>
        <translation>社区 {name}</translation>
    </message>
    <message>
        <source>Not logged in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <source>Choose a warning first.</source>
        <translation>请先选择一条预警。</translation>
    </message>
    <message>
        <source>Timeline note</source>
        <translation>记录进展</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Broadcast to every console</source>
        <translation>向所有席位广播</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Stand down</source>
        <translation>解除重大事件</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>处置总结</translation>
    </message>
    <message>
        <source>Linked incidents</source>
        <translation>关联事件</translation>
    </message>
    <message>
        <source>Committed units</source>
        <translation>投入力量</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
</context>
<context>
    <name>IncidentActions</name>
    <message>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>在途</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>已到场</translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation>已撤离</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Callback to the reporter</source>
        <translation>电话回访反映人</translation>
    </message>
    <message>
        <source>On site</source>
        <translation>现场核查</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <extracomment>The reporter&apos;s satisfaction on the callback&apos;s scale (console/domain/satisfaction.py).</extracomment>
        <translation>满意</translation>
    </message>
    <message>
        <source>Basically satisfied</source>
        <translation>基本满意</translation>
    </message>
    <message>
        <source>Dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>小时</translation>
    </message>
    <message>
        <source>working days</source>
        <translation>工作日</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <source>position unknown</source>
        <translation>位置未知</translation>
    </message>
    <message>
        <source>{m} m</source>
        <translation>{m} 米</translation>
    </message>
    <message>
        <source>{km:.1f} km</source>
        <translation>{km:.1f} 公里</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Police classification</source>
        <translation>警情类别</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>事件描述</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>事件类别</translation>
    </message>
    <message>
        <source>Choose a category.</source>
        <translation>请选择事件类别。</translation>
    </message>
    <message>
        <source>Merge into another incident</source>
        <translation>合并到其他事件</translation>
    </message>
    <message>
        <source>Merge into</source>
        <translation>合并到</translation>
    </message>
    <message>
        <source>An incident cannot be merged into itself.</source>
        <translation>事件不能合并到自身。</translation>
    </message>
    <message>
        <source>Assign to a department</source>
        <translation>交办部门</translation>
    </message>
    <message>
        <source>Lead department</source>
        <translation>主办部门</translation>
    </message>
    <message>
        <source>Co-handling departments</source>
        <translation>协办部门</translation>
    </message>
    <message>
        <source>The lead department cannot also be a co-handler.</source>
        <translation>主办部门不能同时作为协办部门。</translation>
    </message>
    <message>
        <source>Dispatch a unit</source>
        <translation>派遣力量</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Choose an available unit.</source>
        <translation>请选择一个空闲力量。</translation>
    </message>
    <message>
        <source>Verify the result</source>
        <translation>核查办理结果</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>核查方式</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>报告人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Say why the result is not satisfactory.</source>
        <translation>请说明不满意的原因。</translation>
    </message>
    <message>
        <source>Request an extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Extra time</source>
        <translation>延长时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>No deadline is running.</source>
        <translation>当前没有正在计时的时限。</translation>
    </message>
    <message>
        <source>Refuse an extension</source>
        <translation>驳回延期申请</translation>
    </message>
    <message>
        <source>Approve an extension</source>
        <translation>批准延期申请</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>申请</translation>
    </message>
    <message>
        <source>No request is waiting.</source>
        <translation>没有待审批的延期申请。</translation>
    </message>
    <message>
        <source>Unit progress</source>
        <translation>力量进展</translation>
    </message>
    <message>
        <source>Assignment</source>
        <translation>派遣任务</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>新状态</translation>
    </message>
    <message>
        <source>No unit is on the way or at the scene.</source>
        <translation>没有在途或在现场的力量。</translation>
    </message>
    <message>
        <source>Confidential: reporter shown only to the intake and the duty leader</source>
        <translation>保密件：报告人仅向受理人员和值班领导显示</translation>
    </message>
    <message>
        <source>Confidential</source>
        <translation>保密件</translation>
    </message>
    <message>
        <source>Classify…</source>
        <translation>分类…</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>不予受理…</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <source>Answer…</source>
        <translation>直接答复…</translation>
    </message>
    <message>
        <source>Answer and close</source>
        <translation>答复并结案</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答复内容</translation>
    </message>
    <message>
        <source>Merge into…</source>
        <translation>合并到…</translation>
    </message>
    <message>
        <source>Assign…</source>
        <translation>交办…</translation>
    </message>
    <message>
        <source>Dispatch unit…</source>
        <translation>派遣力量…</translation>
    </message>
    <message>
        <source>Unit progress…</source>
        <translation>力量进展…</translation>
    </message>
    <message>
        <source>Sign for</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Return…</source>
        <translation>退单…</translation>
    </message>
    <message>
        <source>Return for jurisdiction</source>
        <translation>非本单位职责退单</translation>
    </message>
    <message>
        <source>Resolve…</source>
        <translation>办结…</translation>
    </message>
    <message>
        <source>Report resolved</source>
        <translation>办结反馈</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>Verify…</source>
        <translation>核查回访…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Reopen…</source>
        <translation>重新启动…</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新启动</translation>
    </message>
    <message>
        <source>Escalate to police…</source>
        <translation>移交公安…</translation>
    </message>
    <message>
        <source>Escalate to the police</source>
        <translation>移交公安</translation>
    </message>
    <message>
        <source>Note…</source>
        <translation>备注…</translation>
    </message>
    <message>
        <source>Add a note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Supervise…</source>
        <translation>督办…</translation>
    </message>
    <message>
        <source>Supervise</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Instruction</source>
        <translation>督办意见</translation>
    </message>
    <message>
        <source>Confidential…</source>
        <translation>保密件…</translation>
    </message>
    <message>
        <source>Request extension…</source>
        <translation>申请延期…</translation>
    </message>
    <message>
        <source>Approve extension…</source>
        <translation>批准延期…</translation>
    </message>
    <message>
        <source>Refuse extension…</source>
        <translation>驳回延期…</translation>
    </message>
</context>
<context>
    <name>IncidentDetail</name>
    <message>
        <source>Not connected to the hub; the command was not sent.</source>
        <translation>未连接到服务器，命令未发送。</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>事件类别</translation>
    </message>
    <message>
        <source>Request type</source>
        <translation>诉求类型</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Police case no.</source>
        <translation>警情编号</translation>
    </message>
    <message>
        <source>Police classification</source>
        <translation>警情类别</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>事件描述</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Street / community / grid</source>
        <translation>街道 / 社区 / 网格</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>反映人</translation>
    </message>
    <message>
        <source>Lead department</source>
        <translation>主办部门</translation>
    </message>
    <message>
        <source>Co-handlers</source>
        <translation>协办部门</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>核查回访</translation>
    </message>
    <message>
        <source>Police</source>
        <translation>公安</translation>
    </message>
    <message>
        <source>Police remarks</source>
        <translation>公安备注</translation>
    </message>
    <message>
        <source>Merged into</source>
        <translation>已合并到</translation>
    </message>
    <message>
        <source>Duplicates</source>
        <translation>重复事件</translation>
    </message>
    <message>
        <source>{code} — awaiting classification</source>
        <translation>{code} — 待分类</translation>
    </message>
    <message>
        <source>(not shown to you)</source>
        <translation>（不向您显示）</translation>
    </message>
    <message>
        <source>Confidential</source>
        <translation>保密件</translation>
    </message>
    <message>
        <source>Not connected to the hub: this may be out of date.</source>
        <translation>未连接到服务器：以下内容可能不是最新的。</translation>
    </message>
    <message>
        <source>Cameras nearby</source>
        <translation>附近摄像头</translation>
    </message>
    <message>
        <source>Export EIDO…</source>
        <translation>导出 EIDO…</translation>
    </message>
    <message>
        <source>Save the incident as a NENA EIDO document for another center</source>
        <translation>将事件保存为 NENA EIDO 文档，供其他中心使用</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>On device</source>
        <translation>已送达终端</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>申请</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Extra</source>
        <translation>延长</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Extensions</source>
        <translation>延期</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>剩余</translation>
    </message>
    <message>
        <source>Time limits</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>流转记录</translation>
    </message>
    <message>
        <source>{id} is not in this console&apos;s view.</source>
        <translation>{id} 不在本控制台的可见范围内。</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>by {who} at {when}</source>
        <translation>{who} 于 {when}</translation>
    </message>
    <message>
        <source>Acknowledged by the police</source>
        <translation>公安已签收</translation>
    </message>
    <message>
        <source>Waiting for the police</source>
        <translation>等待公安签收</translation>
    </message>
    <message>
        <source>Diverted by {center}</source>
        <translation>由 {center} 分流转入</translation>
    </message>
    <message>
        <source>({n} not yet received by the police)</source>
        <translation>（{n} 条公安尚未收到）</translation>
    </message>
    <message>
        <source>{unit} (verify on site)</source>
        <translation>{unit}（现场核查）</translation>
    </message>
    <message>
        <source>not delivered</source>
        <translation>未送达</translation>
    </message>
    <message>
        <source>overdue by {time}</source>
        <translation>已超时 {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>剩余 {time}</translation>
    </message>
    <message>
        <source>met</source>
        <translation>按时</translation>
    </message>
    <message>
        <source>late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>No incident selected: choose one in the queue or type F and its number.</source>
        <translation>未选择事件：请在队列中选择，或在命令行输入 F 加事件编号。</translation>
    </message>
    <message>
        <source>  ·  from the record</source>
        <translation>  ·  来自档案</translation>
    </message>
    <message>
        <source>Not logged in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <source>No incident is shown.</source>
        <translation>未显示事件。</translation>
    </message>
    <message>
        <source>Waiting for the hub&apos;s answer.</source>
        <translation>正在等待服务器应答。</translation>
    </message>
    <message>
        <source>Export EIDO</source>
        <translation>导出 EIDO</translation>
    </message>
    <message>
        <source>The EIDO document could not be written: {reason}</source>
        <translation>无法写入 EIDO 文档：{reason}</translation>
    </message>
    <message>
        <source>{id} exported as {file}.</source>
        <translation>{id} 已导出为 {file}。</translation>
    </message>
    <message>
        <source>{action}: done ({id}).</source>
        <translation>{action}：已完成（{id}）。</translation>
    </message>
    <message>
        <source>{action} refused: {reason}</source>
        <translation>{action}被拒绝：{reason}</translation>
    </message>
    <message>
        <source>&amp;Actions</source>
        <translation>操作(&amp;A)</translation>
    </message>
</context>
<context>
    <name>IncidentQueue</name>
    <message numerus="yes">
        <source>%n incident(s)</source>
        <extracomment>The whole row&apos;s shade by level, and the flash of a row whose alert waits.</extracomment>
        <translation>
            <numerusform>%n 件事件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cases this queue shows with its filter, of %n in this console&apos;s view.</source>
        <translation>
            <numerusform>此队列按其筛选条件显示的案件，本控制台共可见 %n 件。</numerusform>
        </translation>
    </message>
    <message>
        <source>No cases yet: new cases appear here as they come in.</source>
        <translation>还没有案件：新案件到达后会显示在这里。</translation>
    </message>
    <message>
        <source>No open cases: every case in this console&apos;s view is finished.</source>
        <translation>没有未结案件：本控制台可见的案件都已结案。</translation>
    </message>
    <message>
        <source>No cases.</source>
        <translation>没有案件。</translation>
    </message>
    <message>
        <source>No case matches the filter. Clear the search or choose “Open” and “All priorities” to see every open case.</source>
        <translation>没有符合筛选条件的案件。清空搜索，或选择“未结案”和“全部优先级”以查看所有未结案件。</translation>
    </message>
    <message>
        <source>Search id, description, address…</source>
        <translation>搜索编号、描述、地址…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>未结案</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>All priorities</source>
        <translation>全部优先级</translation>
    </message>
    <message>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
</context>
<context>
    <name>IncidentQueueModel</name>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>事件类别</translation>
    </message>
    <message>
        <source>Street / community</source>
        <translation>街道 / 社区</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>承办单位</translation>
    </message>
    <message>
        <source>Next deadline</source>
        <translation>下一时限</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>P1</source>
        <translation>P1</translation>
    </message>
    <message>
        <source>P2</source>
        <translation>P2</translation>
    </message>
    <message>
        <source>P3</source>
        <translation>P3</translation>
    </message>
    <message>
        <source>P4</source>
        <translation>P4</translation>
    </message>
    <message>
        <source>Hotline</source>
        <translation>热线</translation>
    </message>
    <message>
        <source>Police 110</source>
        <translation>110 分流</translation>
    </message>
    <message>
        <source>Grid worker</source>
        <translation>网格员</translation>
    </message>
    <message>
        <source>Public</source>
        <translation>群众</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频监控</translation>
    </message>
    <message>
        <source>Sensor</source>
        <translation>物联感知</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>来访</translation>
    </message>
    <message>
        <source>New</source>
        <translation>待受理</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已受理</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>已交办</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>已办结</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>已核查</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>已合并</translation>
    </message>
    <message>
        <source>With police</source>
        <translation>已移交公安</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>交办</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Arrive</source>
        <translation>到场</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>{days}d {hours:02d}h</source>
        <extracomment>Countdowns of a day or more: &quot;2d 04h&quot; (Chinese: &quot;2天04时&quot;).</extracomment>
        <translation>{days}天{hours:02d}时</translation>
    </message>
</context>
<context>
    <name>IncidentTimeline</name>
    <message>
        <source>created ({source})</source>
        <extracomment>What each event did, as the timeline says it after &quot;time actor&quot;.</extracomment>
        <translation>登记（{source}）</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>classified it as {category}</source>
        <translation>定类为 {category}</translation>
    </message>
    <message>
        <source>rejected: {reason}</source>
        <translation>不予受理：{reason}</translation>
    </message>
    <message>
        <source>answered and closed: {answer}</source>
        <translation>答复并结案：{answer}</translation>
    </message>
    <message>
        <source>merged into {into}</source>
        <translation>合并到 {into}</translation>
    </message>
    <message>
        <source>assigned to {department}</source>
        <translation>交办至{department}</translation>
    </message>
    <message>
        <source>signed for ({department})</source>
        <translation>签收（{department}）</translation>
    </message>
    <message>
        <source>returned it: {reason}</source>
        <translation>退单：{reason}</translation>
    </message>
    <message>
        <source>resolved: {result}</source>
        <translation>办结：{result}</translation>
    </message>
    <message>
        <source>verified ({method}): {note}</source>
        <translation>核查通过（{method}）：{note}</translation>
    </message>
    <message>
        <source>verification failed ({method}): {note}</source>
        <translation>核查未通过（{method}）：{note}</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>reopened: {reason}</source>
        <translation>重新启动：{reason}</translation>
    </message>
    <message>
        <source>escalated to the police: {reason}</source>
        <translation>移交公安：{reason}</translation>
    </message>
    <message>
        <source>acknowledged for the police</source>
        <translation>公安签收</translation>
    </message>
    <message>
        <source>returned it for the police: {cause}</source>
        <translation>公安退回：{cause}</translation>
    </message>
    <message>
        <source>reported the police disposition: {disposition}</source>
        <translation>反馈公安处置结果：{disposition}</translation>
    </message>
    <message>
        <source>the police could not finish it: {cause}</source>
        <translation>公安未能处置完毕：{cause}</translation>
    </message>
    <message>
        <source>the police added to the case</source>
        <translation>公安补充了案情</translation>
    </message>
    <message>
        <source>the police withdrew the case: {cause}</source>
        <translation>公安撤回了此案：{cause}</translation>
    </message>
    <message>
        <source>the police received message {message}</source>
        <translation>公安已收到消息 {message}</translation>
    </message>
    <message>
        <source>linked to major incident {id}</source>
        <translation>关联到重大事件 {id}</translation>
    </message>
    <message>
        <source>noted: {text}</source>
        <translation>备注：{text}</translation>
    </message>
    <message>
        <source>attached {filename}</source>
        <translation>添加了附件 {filename}</translation>
    </message>
    <message>
        <source>marked it confidential</source>
        <translation>标记为保密件</translation>
    </message>
    <message>
        <source>supervised: {note}</source>
        <translation>督办：{note}</translation>
    </message>
    <message>
        <source>asked for {extra} more on the {stage} deadline: {reason}</source>
        <translation>申请{stage}时限延期 {extra}：{reason}</translation>
    </message>
    <message>
        <source>approved extension {request}</source>
        <translation>批准延期申请 {request}</translation>
    </message>
    <message>
        <source>refused extension {request}: {reason}</source>
        <translation>驳回延期申请 {request}：{reason}</translation>
    </message>
    <message>
        <source>dispatched {unit}</source>
        <translation>派遣 {unit}</translation>
    </message>
    <message>
        <source>reported {unit} {status}</source>
        <translation>报告 {unit} {status}</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>took in duplicate {id}</source>
        <translation>并入重复事件 {id}</translation>
    </message>
    <message>
        <source>lifted its confidential mark</source>
        <translation>取消了保密标记</translation>
    </message>
    <message>
        <source>{time} {actor} {what}</source>
        <translation>{time} {actor} {what}</translation>
    </message>
    <message>
        <source>satisfied</source>
        <translation>满意</translation>
    </message>
</context>
<context>
    <name>IntakeForm</name>
    <message>
        <source>Not connected to the hub; the incident was not registered.</source>
        <extracomment>Roles whose search by phone the hub answers (the others are refused).</extracomment>
        <translation>未连接到服务器，事件未登记。</translation>
    </message>
    <message>
        <source>Search in Chinese, pinyin or English</source>
        <translation>可用中文、拼音或英文搜索</translation>
    </message>
    <message>
        <source>lat, lon — e.g. 30.6675, 104.0925</source>
        <translation>纬度, 经度 — 例如 30.6675, 104.0925</translation>
    </message>
    <message>
        <source>Confidential: reporter shown only to the intake and the duty leader</source>
        <translation>保密件：报告人仅向受理人员和值班领导显示</translation>
    </message>
    <message>
        <source>Answered on the phone</source>
        <translation>电话中已直接答复</translation>
    </message>
    <message>
        <source>Register (Ctrl+Enter)</source>
        <translation>登记（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Register and merge into selected</source>
        <translation>登记并合并到所选事件</translation>
    </message>
    <message>
        <source>Clear (Esc)</source>
        <translation>清空（Esc）</translation>
    </message>
    <message>
        <source>Caller phone</source>
        <translation>来电号码</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Police case no.</source>
        <translation>警情编号</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>事件类别</translation>
    </message>
    <message>
        <source>Request type</source>
        <translation>诉求类型</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>事件描述</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Reporter name</source>
        <translation>反映人姓名</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>Earlier cases of this caller</source>
        <translation>该来电人的历史诉求</translation>
    </message>
    <message>
        <source>Cases within 50 m in the last 90 days</source>
        <translation>近 90 天内 50 米范围的案件</translation>
    </message>
    <message>
        <source>Possible duplicates nearby</source>
        <translation>附近可能重复的事件</translation>
    </message>
    <message>
        <source>Road and number, estate … — pick one to locate it</source>
        <translation>道路门牌、小区名称…… — 选中一个即可定位</translation>
    </message>
    <message>
        <source>Digits only, e.g. 13800000001.</source>
        <translation>只能填写数字，例如 13800000001。</translation>
    </message>
    <message>
        <source>A police case needs its case number.</source>
        <translation>110 分流事件须填写警情编号。</translation>
    </message>
    <message>
        <source>Choose a category.</source>
        <translation>请选择事件类别。</translation>
    </message>
    <message>
        <source>Say what the caller reports.</source>
        <translation>请填写来电人反映的内容。</translation>
    </message>
    <message>
        <source>Give the place as lat, lon (or pick it on the map).</source>
        <translation>请按“纬度, 经度”填写位置（或在地图上选取）。</translation>
    </message>
    <message>
        <source>Write the answer given on the phone.</source>
        <translation>请填写电话中给出的答复。</translation>
    </message>
    <message>
        <source>Check the marked fields.</source>
        <translation>请检查标出的字段。</translation>
    </message>
    <message>
        <source>Not registered: {reason}</source>
        <translation>未登记：{reason}</translation>
    </message>
    <message>
        <source>Registered {id}.</source>
        <translation>已登记 {id}。</translation>
    </message>
    <message>
        <source>{id} was registered but not answered: {reason}</source>
        <translation>{id} 已登记，但未能答复结案：{reason}</translation>
    </message>
    <message>
        <source>{id} was registered but not merged: {reason}</source>
        <translation>{id} 已登记，但未能合并：{reason}</translation>
    </message>
    <message>
        <source>{id} answered and closed.</source>
        <translation>{id} 已答复并结案。</translation>
    </message>
    <message>
        <source>{id} merged into {into}.</source>
        <translation>{id} 已合并到 {into}。</translation>
    </message>
    <message>
        <source>Outside the district</source>
        <translation>不在本区辖区内</translation>
    </message>
</context>
<context>
    <name>LiaisonDock</name>
    <message>
        <source>Awaiting signature</source>
        <translation>待签收</translation>
    </message>
    <message>
        <source>Awaiting feedback</source>
        <translation>待反馈</translation>
    </message>
    <message>
        <source>Returned to the police</source>
        <translation>已退回公安</translation>
    </message>
    <message>
        <source>With the police</source>
        <translation>已移交公安</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Police case no.</source>
        <translation>警情编号</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>acknowledged, waiting for the result</source>
        <translation>公安已接收，等待处置结果</translation>
    </message>
    <message>
        <source>waiting for the police to acknowledge</source>
        <translation>等待公安接收</translation>
    </message>
    <message>
        <source>returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>signed; feedback when resolved</source>
        <translation>已签收；办结后反馈</translation>
    </message>
    <message>
        <source>awaiting classification (police code {code})</source>
        <translation>待分类（警情类别 {code}）</translation>
    </message>
    <message>
        <source>to sign</source>
        <translation>待签收</translation>
    </message>
    <message>
        <source>{n} not yet received by the police</source>
        <translation>{n} 条公安尚未收到</translation>
    </message>
    <message>
        <source>Overdue: {sign} not signed for in time, {feedback} feedback to the police late.</source>
        <translation>超时：{sign} 件未按时签收，{feedback} 件未按时向公安反馈。</translation>
    </message>
    <message>
        <source>Police center: never connected</source>
        <translation>110 指挥中心：从未联网</translation>
    </message>
    <message>
        <source>Police center: connected</source>
        <translation>110 指挥中心：联网正常</translation>
    </message>
    <message>
        <source>Police center: link down since {time}</source>
        <translation>110 指挥中心：自 {time} 联网中断</translation>
    </message>
    <message>
        <source>{n} messages waiting</source>
        <translation>{n} 条消息待送达</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Hub</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Linkage Console — log in</source>
        <translation>大联动调度台 — 登录</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>Enter the hub&apos;s address.</source>
        <translation>请输入服务器地址。</translation>
    </message>
    <message>
        <source>“{address}” is not a hub address; write it as ws://host:port or wss://host:port.</source>
        <translation>“{address}”不是服务器地址，请写成 ws://主机:端口 或 wss://主机:端口。</translation>
    </message>
    <message>
        <source>Connecting to {url}…</source>
        <translation>正在连接 {url}…</translation>
    </message>
    <message>
        <source>Logged out. Log in again to continue.</source>
        <translation>已退出登录。请重新登录以继续。</translation>
    </message>
    <message>
        <source>The session has ended: {reason}</source>
        <translation>会话已结束：{reason}</translation>
    </message>
    <message>
        <source>The hub refused the login: {reason}</source>
        <translation>服务器拒绝登录：{reason}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Queue {n}</source>
        <translation>工单队列 {n}</translation>
    </message>
    <message>
        <source>Open an incident first.</source>
        <translation>请先打开一个事件。</translation>
    </message>
    <message>
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <source>New queue</source>
        <translation>新建工单队列</translation>
    </message>
    <message>
        <source>Show the video wall</source>
        <translation>显示视频墙</translation>
    </message>
    <message>
        <source>Show the police cases</source>
        <translation>显示警务分流事项</translation>
    </message>
    <message>
        <source>Show the dashboard</source>
        <translation>显示统计看板</translation>
    </message>
    <message>
        <source>Show the emergency board</source>
        <translation>显示应急指挥板</translation>
    </message>
    <message>
        <source>Save layout as…</source>
        <translation>布局另存为…</translation>
    </message>
    <message>
        <source>Reset layout</source>
        <translation>重置布局</translation>
    </message>
    <message>
        <source>Save layout</source>
        <translation>保存布局</translation>
    </message>
    <message>
        <source>Layout name:</source>
        <translation>布局名称：</translation>
    </message>
    <message>
        <source>Layout “{name}” saved.</source>
        <translation>布局“{name}”已保存。</translation>
    </message>
    <message>
        <source>Linkage Console</source>
        <translation>大联动调度台</translation>
    </message>
    <message>
        <source>Incident queue</source>
        <translation>工单队列</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Intake 96966</source>
        <translation>96966 来电登记</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <source>Video wall</source>
        <translation>视频墙</translation>
    </message>
    <message>
        <source>Police liaison</source>
        <translation>警务联络</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>统计看板</translation>
    </message>
    <message>
        <source>Emergency board</source>
        <translation>应急指挥</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>审计</translation>
    </message>
    <message>
        <source>Grid workers</source>
        <translation>网格员</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>档案查询</translation>
    </message>
    <message>
        <source>Command help</source>
        <translation>命令帮助</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>New window</source>
        <translation>新建窗口</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>&amp;Incident</source>
        <translation>事件(&amp;I)</translation>
    </message>
    <message>
        <source>New intake</source>
        <translation>新建登记</translation>
    </message>
    <message>
        <source>Find incident…</source>
        <translation>查找事件…</translation>
    </message>
    <message>
        <source>Pop out into a window</source>
        <translation>弹出为独立窗口</translation>
    </message>
    <message>
        <source>Cameras near this incident</source>
        <translation>本事件附近的摄像头</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Layouts</source>
        <translation>布局(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Command line help</source>
        <translation>命令行帮助</translation>
    </message>
</context>
<context>
    <name>MajorDialogs</name>
    <message>
        <source>{radius} around {lat:.5f}, {lon:.5f}</source>
        <translation>以 {lat:.5f}, {lon:.5f} 为中心、半径 {radius}</translation>
    </message>
    <message>
        <source>a polygon of {n} points</source>
        <translation>{n} 个顶点的多边形</translation>
    </message>
    <message>
        <source>Declare a major incident</source>
        <extracomment>The emergency board&apos;s forms are the incident dock&apos;s (``open()``, errors beside the fields).</extracomment>
        <translation>宣布重大事件</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Commander</source>
        <translation>指挥长</translation>
    </message>
    <message>
        <source>Centre (lat, lon)</source>
        <translation>中心（纬度, 经度）</translation>
    </message>
    <message>
        <source>Radius</source>
        <translation>半径</translation>
    </message>
    <message>
        <source>Message to every console</source>
        <translation>向所有席位广播的消息</translation>
    </message>
    <message>
        <source>Give the centre as lat, lon.</source>
        <translation>请按“纬度, 经度”填写中心点。</translation>
    </message>
    <message>
        <source>Link an incident to {id}</source>
        <translation>关联事件到 {id}</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Commit a unit to {id}</source>
        <translation>向 {id} 投入力量</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Choose a unit.</source>
        <translation>请选择一个力量。</translation>
    </message>
</context>
<context>
    <name>MajorIncident</name>
    <message>
        <source>Level I</source>
        <translation>Ⅰ级（特别重大）</translation>
    </message>
    <message>
        <source>Level II</source>
        <translation>Ⅱ级（重大）</translation>
    </message>
    <message>
        <source>Level III</source>
        <translation>Ⅲ级（较大）</translation>
    </message>
    <message>
        <source>Level IV</source>
        <translation>Ⅳ级（一般）</translation>
    </message>
    <message>
        <source>{level} major incident {id}: {title} · commander {commander}</source>
        <extracomment>The keys sounded, oldest first: none sounds twice. A console runs for weeks, so the oldest are forgotten past :attr:`REMEMBERED` (and the lists above keep the latest). The major incidents shown, gravest first (for tests and the board).</extracomment>
        <translation>{level}重大事件 {id}：{title} · 指挥长 {commander}</translation>
    </message>
    <message>
        <source>{time} broadcast: {message}</source>
        <translation>{time} 广播：{message}</translation>
    </message>
</context>
<context>
    <name>MapDock</name>
    <message>
        <source>Tiles: agency tile server</source>
        <translation>瓦片：本单位瓦片服务器</translation>
    </message>
    <message>
        <source>The offline map cannot be used: {error}</source>
        <translation>离线地图无法使用：{error}</translation>
    </message>
    <message>
        <source>New incident here</source>
        <translation>在此新建事件</translation>
    </message>
    <message>
        <source>Open {id}</source>
        <translation>打开 {id}</translation>
    </message>
    <message>
        <source>Nearest available units</source>
        <translation>最近的可调派力量</translation>
    </message>
    <message>
        <source>Show {id} in the roster</source>
        <translation>在力量列表中显示 {id}</translation>
    </message>
    <message>
        <source>Trail of {id}</source>
        <translation>{id} 的轨迹</translation>
    </message>
    <message>
        <source>Zoom to {street}</source>
        <translation>缩放到{street}</translation>
    </message>
    <message>
        <source>Copy position ({lat:.6f}, {lon:.6f})</source>
        <translation>复制坐标（{lat:.6f}, {lon:.6f}）</translation>
    </message>
    <message>
        <source>The map was kept from reaching {url}: only the configured tile server is allowed.</source>
        <translation>已阻止地图访问 {url}：只允许访问所配置的瓦片服务器。</translation>
    </message>
    <message>
        <source>Streets</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Communities</source>
        <translation>社区</translation>
    </message>
    <message>
        <source>Grid cells</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Patrol checkpoints</source>
        <translation>巡更点</translation>
    </message>
    <message>
        <source>Heat of incidents</source>
        <translation>事件热力</translation>
    </message>
    <message>
        <source>Unit trail</source>
        <translation>力量轨迹</translation>
    </message>
    <message>
        <source>New</source>
        <translation>待受理</translation>
    </message>
    <message>
        <source>Accepted, assigned, in progress</source>
        <translation>已受理、已派遣、处置中</translation>
    </message>
    <message>
        <source>With the police</source>
        <translation>已转公安</translation>
    </message>
    <message>
        <source>Resolved, to close</source>
        <translation>已办结，待结案</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>已督办</translation>
    </message>
    <message>
        <source>Legend</source>
        <translation>图例</translation>
    </message>
    <message>
        <source>Other layers</source>
        <translation>其他图层</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>type</source>
        <translation>类型</translation>
    </message>
    <message numerus="yes">
        <source>Incidents, last %n hour(s)</source>
        <translation>
            <numerusform>近 %n 小时的事件</numerusform>
        </translation>
    </message>
    <message>
        <source>Unit types</source>
        <translation>力量类型</translation>
    </message>
    <message>
        <source>Unit statuses</source>
        <translation>力量状态</translation>
    </message>
    <message>
        <source>Heat window</source>
        <translation>热力时段</translation>
    </message>
    <message numerus="yes">
        <source>Last %n hour(s)</source>
        <translation>
            <numerusform>近 %n 小时</numerusform>
        </translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Whole district</source>
        <translation>全区</translation>
    </message>
    <message>
        <source>Follow selection</source>
        <translation>跟随选中</translation>
    </message>
    <message>
        <source>Centre the map on what is selected in the queue or the roster, and keep a unit in view</source>
        <translation>地图以事件列表或力量列表中选中的对象为中心，并使选中的力量始终可见</translation>
    </message>
    <message>
        <source>Nearest units</source>
        <translation>最近力量</translation>
    </message>
    <message>
        <source>The available units nearest the selected incident, with their ETA</source>
        <translation>离选中事件最近的可调派力量及其预计到达时间</translation>
    </message>
    <message>
        <source>Trail</source>
        <translation>轨迹</translation>
    </message>
    <message>
        <source>Where the selected unit went</source>
        <translation>选中力量的行动轨迹</translation>
    </message>
    <message>
        <source>Basemap…</source>
        <translation>底图…</translation>
    </message>
    <message>
        <source>Zoom to a street…</source>
        <translation>缩放到街道…</translation>
    </message>
</context>
<context>
    <name>NearestPanel</name>
    <message>
        <source>{n} min</source>
        <extracomment>The columns, ETA first.</extracomment>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>{h} h {m:02d} min</source>
        <translation>{h} 小时 {m:02d} 分</translation>
    </message>
    <message>
        <source>recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <source>fits the plan</source>
        <translation>符合预案</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>{unit} dispatched to {incident}.</source>
        <translation>已调派 {unit} 前往 {incident}。</translation>
    </message>
    <message>
        <source>Offline: not connected to the hub; nothing was sent.</source>
        <translation>离线：未连接到中心服务，未发送任何指令。</translation>
    </message>
    <message>
        <source>{unit} not dispatched: {why}</source>
        <translation>{unit} 未调派：{why}</translation>
    </message>
    <message>
        <source>No available unit with a known position near {id}.</source>
        <translation>{id} 附近没有位置已知的可调派力量。</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>预案</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>直线距离</translation>
    </message>
    <message>
        <source>ETA</source>
        <translation>预计到达</translation>
    </message>
    <message>
        <source>Units for {id} ({category}): the plan first, soonest first</source>
        <translation>{id}（{category}）可派力量：预案优先，按到达时间排序</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>调派</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Detach Group</source>
        <extracomment>The tooltip of each QtAds button, by the button&apos;s object name.</extracomment>
        <translation>浮动此组</translation>
    </message>
    <message>
        <source>List All Tabs</source>
        <translation>列出全部标签页</translation>
    </message>
    <message>
        <source>Close Group</source>
        <translation>关闭此组</translation>
    </message>
    <message>
        <source>Minimize</source>
        <translation>最小化</translation>
    </message>
    <message>
        <source>Pin Active Tab (Press Ctrl to Pin Group)</source>
        <translation>固定当前标签页（按住 Ctrl 固定整组）</translation>
    </message>
    <message>
        <source>Close Tab</source>
        <translation>关闭标签页</translation>
    </message>
    <message>
        <source>Close Active Tab</source>
        <extracomment>Some configurations make the area&apos;s close button close the active tab only.</extracomment>
        <translation>关闭当前标签页</translation>
    </message>
</context>
<context>
    <name>RecordsDock</name>
    <message>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>Basically satisfied</source>
        <translation>基本满意</translation>
    </message>
    <message>
        <source>Dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Searching the record…</source>
        <translation>正在查询档案…</translation>
    </message>
    <message>
        <source>{shown} of {total} cases shown</source>
        <translation>共 {total} 件，已显示 {shown} 件</translation>
    </message>
    <message>
        <source>Export the result</source>
        <translation>导出查询结果</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Gathering the result for export…</source>
        <translation>正在汇总查询结果以便导出…</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>档案</translation>
    </message>
    <message>
        <source>Could not write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <source>{rows} cases exported to {path}</source>
        <translation>已导出 {rows} 件案件至 {path}</translation>
    </message>
    <message>
        <source>(the first {most}; narrow the search for the rest)</source>
        <translation>（仅前 {most} 条；其余请缩小查询范围）</translation>
    </message>
    <message>
        <source>&amp;Words</source>
        <translation>关键词(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>电话(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Category</source>
        <translation>类别(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Department</source>
        <translation>部门(&amp;D)</translation>
    </message>
    <message>
        <source>S&amp;tate</source>
        <translation>状态(&amp;T)</translation>
    </message>
    <message>
        <source>Satis&amp;faction</source>
        <translation>满意度(&amp;F)</translation>
    </message>
    <message>
        <source>Ever &amp;overdue</source>
        <translation>曾超时(&amp;O)</translation>
    </message>
    <message>
        <source>Ever s&amp;upervised</source>
        <translation>曾督办(&amp;U)</translation>
    </message>
    <message>
        <source>in the description, the address or the caller&apos;s name</source>
        <translation>在描述、地址或反映人姓名中查找</translation>
    </message>
    <message>
        <source>Created between</source>
        <translation>登记日期</translation>
    </message>
    <message>
        <source>Closed between</source>
        <translation>结案日期</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>导出(&amp;X)…</translation>
    </message>
    <message>
        <source>Save the whole result as an Excel workbook (.xlsx)</source>
        <translation>将全部查询结果保存为 Excel 工作簿（.xlsx）</translation>
    </message>
    <message>
        <source>The hub did not answer; search again when the console is connected.</source>
        <translation>中心服务器未应答；请在连接恢复后重新查询。</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>反映人</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>&apos;area&apos; has more than {limit} positions.</source>
        <translation>“区域”的点数超过 {limit} 个。</translation>
    </message>
    <message>
        <source>&apos;area&apos; must be a GeoJSON Polygon or a centre with a radius.</source>
        <translation>“区域”须为 GeoJSON 多边形，或中心点加半径。</translation>
    </message>
    <message>
        <source>&apos;area&apos; must be a Polygon with 1 to 10 rings.</source>
        <translation>“区域”须为含 1 至 10 个环的多边形。</translation>
    </message>
    <message>
        <source>&apos;data_b64&apos; must be the file&apos;s bytes as base64 text.</source>
        <translation>&apos;data_b64&apos; 必须是以 base64 文本表示的文件内容。</translation>
    </message>
    <message>
        <source>&apos;method&apos; must be site (a visit) or callback (a call to the reporter).</source>
        <translation>“方式”须为 site（现场回访）或 callback（电话回访报告人）。</translation>
    </message>
    <message>
        <source>&apos;purpose&apos; must be respond (handle the incident) or verify (check on site).</source>
        <translation>“用途”须为处置事件或现场核查。</translation>
    </message>
    <message>
        <source>&apos;remarks&apos; must be a list of at most {limit} texts.</source>
        <translation>“备注”须为至多 {limit} 条文字的列表。</translation>
    </message>
    <message>
        <source>&apos;satisfied&apos; and &apos;satisfaction&apos; disagree.</source>
        <translation>“是否满意”与“满意度”不一致。</translation>
    </message>
    <message>
        <source>&apos;state&apos; must be up or down.</source>
        <translation>“状态”须为 up（在线）或 down（断开）。</translation>
    </message>
    <message>
        <source>&apos;status&apos; must be accepted or rejected.</source>
        <translation>“状态”须为 accepted（接受）或 rejected（拒绝）。</translation>
    </message>
    <message>
        <source>&apos;status&apos; must be completed or aborted.</source>
        <translation>“状态”须为 completed（完成）或 aborted（中止）。</translation>
    </message>
    <message>
        <source>&apos;unit&apos; must be minutes, hours or working_days.</source>
        <translation>“单位”须为 minutes（分钟）、hours（小时）或 working_days（工作日）。</translation>
    </message>
    <message>
        <source>&apos;{code}&apos; is reserved for police cases awaiting classification; choose a category.</source>
        <translation>“{code}”专用于待分类的公安转来案件，请选择一个类别。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; has more than {limit} entries.</source>
        <translation>“{field}”超过 {limit} 项。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; holds a character that text may not hold ({character}).</source>
        <translation>“{field}”含有文字中不允许的字符（{character}）。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; is longer than {limit} characters.</source>
        <translation>“{field}”超过 {limit} 个字符。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; is required.</source>
        <translation>“{field}”为必填项。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be a list of codes.</source>
        <translation>“{field}”须为代码列表。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be a number.</source>
        <translation>“{field}”须为数字。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be a whole number.</source>
        <translation>“{field}”须为整数。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be an object.</source>
        <translation>“{field}”须为对象。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be between {low} and {high}.</source>
        <translation>“{field}”须在 {low} 至 {high} 之间。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be one of: {allowed}.</source>
        <translation>“{field}”须为以下之一：{allowed}。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be text.</source>
        <translation>“{field}”须为文字。</translation>
    </message>
    <message>
        <source>&apos;{field}&apos; must be true or false.</source>
        <translation>“{field}”须为是或否。</translation>
    </message>
    <message>
        <source>A co-handling department is named twice.</source>
        <translation>协办部门重复。</translation>
    </message>
    <message>
        <source>A field unit calls for help only for itself.</source>
        <translation>外勤力量只能为自己呼救。</translation>
    </message>
    <message>
        <source>A field unit changes only its own status.</source>
        <translation>外勤单元只能更改自己的状态。</translation>
    </message>
    <message>
        <source>A field unit clocks in only itself.</source>
        <translation>外勤单元只能为自己上班。</translation>
    </message>
    <message>
        <source>A field unit clocks out only itself.</source>
        <translation>外勤单元只能为自己下班。</translation>
    </message>
    <message>
        <source>A field unit confirms only its own tasks.</source>
        <translation>外勤力量只能确认自己的任务。</translation>
    </message>
    <message>
        <source>A field unit records only its own patrol checkpoints.</source>
        <translation>外勤单元只能记录自己的巡查打卡点。</translation>
    </message>
    <message>
        <source>A field unit reports progress only on its own assignments.</source>
        <translation>外勤单元只能上报自己任务的进展。</translation>
    </message>
    <message>
        <source>A new unit starts off duty, available, busy or out of service.</source>
        <translation>新单元的初始状态只能是下班、空闲、忙碌或停用。</translation>
    </message>
    <message>
        <source>A password has at most {max} characters.</source>
        <translation>密码最多 {max} 个字符。</translation>
    </message>
    <message>
        <source>A password must not be one character repeated.</source>
        <translation>密码不能是同一个字符的重复。</translation>
    </message>
    <message>
        <source>A password must not contain the user name.</source>
        <translation>密码不能包含用户名。</translation>
    </message>
    <message>
        <source>A password needs at least {min} characters.</source>
        <translation>密码至少需要 {min} 个字符。</translation>
    </message>
    <message>
        <source>A position of &apos;area&apos; must be [lon, lat].</source>
        <translation>“区域”的每个点须为 [经度, 纬度]。</translation>
    </message>
    <message>
        <source>An administrator disabled this account; its sessions are closed.</source>
        <translation>管理员已停用此账号，其会话均已关闭。</translation>
    </message>
    <message>
        <source>An administrator ended this session; log in again.</source>
        <translation>管理员已结束此会话，请重新登录。</translation>
    </message>
    <message>
        <source>An attachment must be sent as a file (its data), checked by the hub.</source>
        <translation>附件必须以文件（其数据）发送，由中心服务核验。</translation>
    </message>
    <message>
        <source>An extension of the {stage} deadline of {id} is already waiting for approval.</source>
        <translation>{id} 的“{stage}”时限已有延期申请在等待审批。</translation>
    </message>
    <message>
        <source>An incident cannot be merged into itself.</source>
        <translation>事件不能合并到其自身。</translation>
    </message>
    <message>
        <source>An update needs remarks or a summary.</source>
        <translation>更新须包含备注或摘要。</translation>
    </message>
    <message>
        <source>Assignment {assignment} is already {state}.</source>
        <translation>任务 {assignment} 已是“{state}”。</translation>
    </message>
    <message>
        <source>Assignment {assignment} is already {state}; a unit cannot go back to {target}.</source>
        <translation>任务 {assignment} 已是“{state}”，单元不能退回“{target}”。</translation>
    </message>
    <message>
        <source>Attachments are read on a console&apos;s connection (/ws).</source>
        <translation>附件只能通过控制台连接（/ws）读取。</translation>
    </message>
    <message>
        <source>Case {shared_id} is already incident {incident}.</source>
        <translation>案件 {shared_id} 已登记为事件 {incident}。</translation>
    </message>
    <message>
        <source>Case {shared_id} was not escalated to the police; only an escalation is acknowledged or completed by them.</source>
        <translation>案件 {shared_id} 并未移交公安；公安只能签收或办结移交给他们的案件。</translation>
    </message>
    <message>
        <source>Choose a major incident first.</source>
        <translation>请先选择一个重大事件。</translation>
    </message>
    <message>
        <source>Each ring of &apos;area&apos; must end where it starts.</source>
        <translation>“区域”的每个环须首尾相接。</translation>
    </message>
    <message>
        <source>Each ring of &apos;area&apos; needs at least 4 positions.</source>
        <translation>“区域”的每个环至少需要 4 个点。</translation>
    </message>
    <message>
        <source>Early warnings are raised by the hub&apos;s own detector only.</source>
        <translation>预警只能由中枢自身的监测发起。</translation>
    </message>
    <message>
        <source>Extension request {request} was already {status}.</source>
        <translation>延期申请 {request} 已被“{status}”。</translation>
    </message>
    <message>
        <source>Give a reason to see the reporter of {id}.</source>
        <translation>请说明查看 {id} 报告人的理由。</translation>
    </message>
    <message>
        <source>Liaison officers classify police-diverted incidents only.</source>
        <translation>联络员只能为公安转来的事件分类。</translation>
    </message>
    <message>
        <source>Liaison officers return police-diverted incidents only.</source>
        <translation>联络员只能退回公安转来的事件。</translation>
    </message>
    <message>
        <source>Liaison officers sign for police-diverted incidents only.</source>
        <translation>联络员只能签收公安转来的事件。</translation>
    </message>
    <message>
        <source>Major incidents cannot be declared here.</source>
        <translation>此处不能宣布重大事件。</translation>
    </message>
    <message>
        <source>Message {message} of {id} is not waiting for the police.</source>
        <translation>{id} 的消息 {message} 不在等待公安处理。</translation>
    </message>
    <message>
        <source>New incidents cannot be registered here.</source>
        <translation>此处不能登记新事件。</translation>
    </message>
    <message>
        <source>No hello within {seconds} seconds; closing.</source>
        <translation>{seconds} 秒内未收到登录握手，连接关闭。</translation>
    </message>
    <message>
        <source>Only a duty leader may lift the confidential mark of {id}.</source>
        <translation>只有值班领导可以取消 {id} 的保密标记。</translation>
    </message>
    <message>
        <source>Only a duty leader or an administrator may read grid workers&apos; assessment.</source>
        <translation>只有值班领导或管理员可以查看网格员考核。</translation>
    </message>
    <message>
        <source>Only the police center that diverted case {shared_id} may amend or withdraw it.</source>
        <translation>只有转来案件 {shared_id} 的公安指挥中心可以修改或撤回该案件。</translation>
    </message>
    <message>
        <source>Police messages cannot be received here.</source>
        <translation>此处不能接收公安消息。</translation>
    </message>
    <message>
        <source>Task {task} was delivered already.</source>
        <translation>任务 {task} 已经送达。</translation>
    </message>
    <message>
        <source>Tasks cannot be confirmed here.</source>
        <translation>这里不能确认任务。</translation>
    </message>
    <message>
        <source>That password is on the list of common passwords; choose another.</source>
        <translation>该密码属于常见密码，请另选一个。</translation>
    </message>
    <message>
        <source>The account {username} is locked after too many wrong passwords; an administrator can unlock it, or try again after {until}.</source>
        <translation>账号 {username} 因密码错误次数过多已被锁定；可请管理员解锁，或在 {until} 之后再试。</translation>
    </message>
    <message>
        <source>The account {username} is locked after too many wrong passwords; an administrator can unlock it.</source>
        <translation>账号 {username} 因密码错误次数过多已被锁定，可请管理员解锁。</translation>
    </message>
    <message>
        <source>The account {username} may not connect to /{endpoint}.</source>
        <translation>账号 {username} 不能连接到 /{endpoint}。</translation>
    </message>
    <message>
        <source>The arguments of a command must be an object.</source>
        <translation>命令的参数须为对象。</translation>
    </message>
    <message>
        <source>The database cannot store what this command holds ({cause}); nothing was changed. Check its text for unusual characters.</source>
        <translation>数据库无法保存该命令的内容（{cause}），未作任何更改。请检查文字中是否有异常字符。</translation>
    </message>
    <message>
        <source>The deadline has already passed; an extension must be requested before it.</source>
        <translation>时限已过；延期须在到期前申请。</translation>
    </message>
    <message>
        <source>The deadline is not running.</source>
        <translation>该时限未在计时。</translation>
    </message>
    <message>
        <source>The hub has {limit} connections, as many as it takes; try again later.</source>
        <translation>中枢已有 {limit} 个连接，已达上限，请稍后再试。</translation>
    </message>
    <message>
        <source>The lead department cannot also be a co-handler.</source>
        <translation>主办部门不能同时作为协办部门。</translation>
    </message>
    <message>
        <source>The location ({lat}, {lon}) is outside the district; check the point, or give the address and place it on the map.</source>
        <translation>位置（{lat}, {lon}）在辖区之外；请核对坐标，或填写地址并在地图上标点。</translation>
    </message>
    <message>
        <source>The police have already acknowledged {id}.</source>
        <translation>公安已签收 {id}。</translation>
    </message>
    <message>
        <source>The status {status} follows from an assignment; dispatch the unit or update its assignment instead.</source>
        <translation>状态“{status}”由任务决定；请派遣该单元或更新其任务。</translation>
    </message>
    <message>
        <source>The {stage} deadline of {id} is not running.</source>
        <translation>{id} 的“{stage}”时限未在计时。</translation>
    </message>
    <message>
        <source>There is no attachment {id}.</source>
        <translation>没有附件 {id}。</translation>
    </message>
    <message>
        <source>There is no case {shared_id} here.</source>
        <translation>此处没有案件 {shared_id}。</translation>
    </message>
    <message>
        <source>There is no category &apos;{code}&apos;.</source>
        <translation>没有类别“{code}”。</translation>
    </message>
    <message>
        <source>There is no command &apos;{name}&apos;.</source>
        <translation>没有命令“{name}”。</translation>
    </message>
    <message>
        <source>There is no department &apos;{code}&apos;.</source>
        <translation>没有部门“{code}”。</translation>
    </message>
    <message>
        <source>There is no extension request {request} on {id}.</source>
        <translation>{id} 没有延期申请 {request}。</translation>
    </message>
    <message>
        <source>There is no incident {id}.</source>
        <translation>没有事件 {id}。</translation>
    </message>
    <message>
        <source>There is no major incident {id}.</source>
        <translation>没有重大事件 {id}。</translation>
    </message>
    <message>
        <source>There is no patrol checkpoint {checkpoint}.</source>
        <translation>没有巡更点 {checkpoint}。</translation>
    </message>
    <message>
        <source>There is no police message &apos;{kind}&apos;.</source>
        <translation>没有公安消息类型“{kind}”。</translation>
    </message>
    <message>
        <source>There is no request type &apos;{code}&apos;.</source>
        <translation>没有诉求类型“{code}”。</translation>
    </message>
    <message>
        <source>There is no task {task}.</source>
        <translation>没有任务 {task}。</translation>
    </message>
    <message>
        <source>There is no unit {unit}.</source>
        <translation>没有单元 {unit}。</translation>
    </message>
    <message>
        <source>There is no warning {id}.</source>
        <translation>没有预警 {id}。</translation>
    </message>
    <message>
        <source>This account&apos;s password was changed; log in with the new one.</source>
        <translation>此账号的密码已更改，请用新密码登录。</translation>
    </message>
    <message>
        <source>This session was logged out.</source>
        <translation>此会话已退出登录。</translation>
    </message>
    <message>
        <source>This stage is already finished.</source>
        <translation>该环节已完成。</translation>
    </message>
    <message>
        <source>Unit {unit} has no SOS waiting.</source>
        <translation>力量 {unit} 没有待处理的紧急求助。</translation>
    </message>
    <message>
        <source>Unit {unit} has sent no position in the last {minutes} minutes; a checkpoint is passed where the unit is seen.</source>
        <translation>单元 {unit} 最近 {minutes} 分钟没有上报位置；巡更须在看得到单元所在位置时打卡。</translation>
    </message>
    <message>
        <source>Unit {unit} is already committed to {id}.</source>
        <translation>单元 {unit} 已投入 {id}。</translation>
    </message>
    <message>
        <source>Unit {unit} is already off duty.</source>
        <translation>单元 {unit} 已下班。</translation>
    </message>
    <message>
        <source>Unit {unit} is already on duty ({status}).</source>
        <translation>单元 {unit} 已在班（{status}）。</translation>
    </message>
    <message>
        <source>Unit {unit} is already registered.</source>
        <translation>单元 {unit} 已登记。</translation>
    </message>
    <message>
        <source>Unit {unit} is already {status}.</source>
        <translation>单元 {unit} 已是“{status}”。</translation>
    </message>
    <message>
        <source>Unit {unit} is off duty; a checkpoint is passed on duty.</source>
        <translation>单元 {unit} 已下班；巡查打卡须在班时进行。</translation>
    </message>
    <message>
        <source>Unit {unit} is on assignment {assignment}; clear or cancel it before the unit clocks out.</source>
        <translation>单元 {unit} 正在执行任务 {assignment}；下班前请先完成或取消该任务。</translation>
    </message>
    <message>
        <source>Unit {unit} is on assignment {assignment}; clear or cancel it first.</source>
        <translation>单元 {unit} 正在执行任务 {assignment}；请先完成或取消该任务。</translation>
    </message>
    <message>
        <source>Unit {unit} is on scene; clear the assignment instead of cancelling it.</source>
        <translation>单元 {unit} 已到场；请完成任务，而不是取消。</translation>
    </message>
    <message>
        <source>Unit {unit} is still {state} on {id}; clear or cancel its assignment first.</source>
        <translation>单元 {unit} 在 {id} 上仍为“{state}”；请先完成或取消其任务。</translation>
    </message>
    <message>
        <source>Unit {unit} is {distance} m from checkpoint {checkpoint}; a pass counts within {radius} m.</source>
        <translation>单元 {unit} 距巡更点 {checkpoint} {distance} 米；须在 {radius} 米以内打卡才算。</translation>
    </message>
    <message>
        <source>Unit {unit} is {status}; only available units can be dispatched.</source>
        <translation>单元 {unit} 为“{status}”；只能派遣空闲的单元。</translation>
    </message>
    <message>
        <source>Unknown user, wrong password, or an expired session; log in again.</source>
        <translation>用户不存在、密码错误或会话已过期，请重新登录。</translation>
    </message>
    <message>
        <source>Warnings cannot be raised here.</source>
        <translation>此处不能发起预警。</translation>
    </message>
    <message>
        <source>You may add notes only to incidents your department handles.</source>
        <translation>您只能为本部门承办的事件添加备注。</translation>
    </message>
    <message>
        <source>You may attach files only to incidents your department handles.</source>
        <translation>只能给本部门办理的事件添加附件。</translation>
    </message>
    <message>
        <source>You may register incidents only from your own channel.</source>
        <translation>您只能从自己的渠道登记事件。</translation>
    </message>
    <message>
        <source>You may see the attachments of your own cases only; {id} is not one of them.</source>
        <translation>只能查看本部门案件的附件；{id} 不是本部门的案件。</translation>
    </message>
    <message>
        <source>You may verify results only on site, for incidents in your care.</source>
        <translation>您只能在现场核查由您负责的事件结果。</translation>
    </message>
    <message>
        <source>You may {action} only on your own cases.</source>
        <translation>您只能对自己的案件{action}。</translation>
    </message>
    <message>
        <source>Your role ({roles}) may not {action}.</source>
        <translation>您的角色（{roles}）无权{action}。</translation>
    </message>
    <message>
        <source>Your role does not need the reporter of {id}.</source>
        <translation>您的角色无需查看 {id} 的报告人。</translation>
    </message>
    <message>
        <source>Your role does not see reporters, so it may not search by phone.</source>
        <translation>您的角色看不到报告人，不能按电话号码查询。</translation>
    </message>
    <message>
        <source>{address} has {limit} connections still logging in, as many as one address may; try again when they are done.</source>
        <translation>{address} 已有 {limit} 个连接正在登录，已达单个地址上限；请待其完成后再试。</translation>
    </message>
    <message>
        <source>{address} has {limit} connections to the hub, as many as one address may.</source>
        <translation>{address} 已有 {limit} 个连接到中枢，已达单个地址上限。</translation>
    </message>
    <message>
        <source>{filename} claims to be {claimed}, but its bytes are not a file of any accepted type; nothing was stored.</source>
        <translation>{filename} 声称是 {claimed}，但其内容不是任何可接受的文件类型；未保存任何内容。</translation>
    </message>
    <message>
        <source>{filename} claims to be {claimed}, but its bytes are {found}; nothing was stored.</source>
        <translation>{filename} 声称是 {claimed}，但其内容实为 {found}；未保存任何内容。</translation>
    </message>
    <message>
        <source>{filename} did not arrive whole: its base64 text is broken or cut off. Nothing was stored; send it again.</source>
        <translation>{filename} 未完整送达：其 base64 文本损坏或被截断。未保存任何内容，请重新发送。</translation>
    </message>
    <message>
        <source>{filename} ends early: the {content_type} file is cut off or damaged. Nothing was stored; send it again.</source>
        <translation>{filename} 提前结束：该 {content_type} 文件被截断或已损坏。未保存任何内容，请重新发送。</translation>
    </message>
    <message>
        <source>{filename} has {pixels} pixels, more than the {limit} a picture may have; nothing was stored.</source>
        <translation>{filename} 有 {pixels} 像素，超过图片允许的 {limit} 像素；未保存任何内容。</translation>
    </message>
    <message>
        <source>{filename} is empty; nothing was stored.</source>
        <translation>{filename} 是空文件；未保存任何内容。</translation>
    </message>
    <message>
        <source>{filename} is larger than {limit_mb} MB (about {size_mb} MB); nothing was stored.</source>
        <translation>{filename} 超过 {limit_mb} MB（约 {size_mb} MB）；未保存任何内容。</translation>
    </message>
    <message>
        <source>{filename} is not a picture that can be opened ({problem}); it may be cut off or damaged. Nothing was stored.</source>
        <translation>{filename} 不是可以打开的图片（{problem}），可能被截断或已损坏。未保存任何内容。</translation>
    </message>
    <message>
        <source>{filename}: files of type {content_type} are not accepted; send a photo (JPEG, PNG, WebP), audio (MP3, AAC/M4A, AMR, WAV, OGG), a video (MP4) or a PDF.</source>
        <translation>{filename}：不接受 {content_type} 类型的文件；请发送照片（JPEG、PNG、WebP）、音频（MP3、AAC/M4A、AMR、WAV、OGG）、视频（MP4）或 PDF。</translation>
    </message>
    <message>
        <source>{id} awaits classification (police code {code}); classify it first.</source>
        <translation>{id} 待分类（公安代码 {code}），请先分类。</translation>
    </message>
    <message>
        <source>{id} has changed since you opened it (version {expected}, now {current}); look at it again before acting.</source>
        <translation>{id} 在您打开后已有变更（版本 {expected}，现为 {current}）；请重新查看后再操作。</translation>
    </message>
    <message>
        <source>{id} has no assignment {assignment}.</source>
        <translation>{id} 没有任务 {assignment}。</translation>
    </message>
    <message>
        <source>{id} has no extension request waiting.</source>
        <translation>{id} 没有待审批的延期申请。</translation>
    </message>
    <message>
        <source>{id} has no running deadline to extend.</source>
        <translation>{id} 没有正在计时、可以延期的时限。</translation>
    </message>
    <message>
        <source>{id} has no unit on the way or at the scene.</source>
        <translation>{id} 没有在途或在场的单元。</translation>
    </message>
    <message>
        <source>{id} is a {kind}; only inquiries, opinions and suggestions can be answered and closed at intake.</source>
        <translation>{id} 是“{kind}”；只有咨询、意见和建议可在受理时答复办结。</translation>
    </message>
    <message>
        <source>{id} is already classified as {category}.</source>
        <translation>{id} 已分类为 {category}。</translation>
    </message>
    <message>
        <source>{id} is already marked confidential.</source>
        <translation>{id} 已标记为保密件。</translation>
    </message>
    <message>
        <source>{id} is already supervised.</source>
        <translation>{id} 已在督办中。</translation>
    </message>
    <message>
        <source>{id} is already {state}; there is nothing to withdraw.</source>
        <translation>{id} 已是“{state}”，没有可撤回的内容。</translation>
    </message>
    <message>
        <source>{id} is confidential: only the intake and the duty leader see its reporter.</source>
        <translation>{id} 为保密件：仅受理人员和值班领导可查看其报告人。</translation>
    </message>
    <message>
        <source>{id} is not a case your department leads or co-handles; its reporter is not shown to you.</source>
        <translation>{id} 不是您部门主办或协办的案件，不向您显示其报告人。</translation>
    </message>
    <message>
        <source>{id} is not marked confidential.</source>
        <translation>{id} 未标记为保密件。</translation>
    </message>
    <message>
        <source>{id} is not overdue; supervision is for overdue incidents.</source>
        <translation>{id} 未超时；督办仅适用于超时事件。</translation>
    </message>
    <message>
        <source>{id} is {state}; nothing more can be done on it.</source>
        <translation>{id} 为“{state}”，不能再作任何操作。</translation>
    </message>
    <message>
        <source>{id} is {state}; only open incidents not already with the police can be escalated.</source>
        <translation>{id} 为“{state}”；只有尚未移交公安的未结事件可以移交。</translation>
    </message>
    <message>
        <source>{id} is {state}; only {wanted} incidents can be {doing}.</source>
        <translation>{id} 为“{state}”；只有“{wanted}”的事件才能{doing}。</translation>
    </message>
    <message>
        <source>{id} was already acknowledged by {by}.</source>
        <translation>{id} 已由 {by} 确认。</translation>
    </message>
    <message>
        <source>{id} was stood down; it takes no more changes.</source>
        <translation>{id} 已解除，不再接受更改。</translation>
    </message>
    <message>
        <source>{incident} is already linked to {id}.</source>
        <translation>{incident} 已关联到 {id}。</translation>
    </message>
    <message>
        <source>{into} is {state}; merge duplicates into an open incident.</source>
        <translation>{into} 为“{state}”；请将重复事件合并到未结事件中。</translation>
    </message>
    <message>
        <source>Only an administrator may read the audit trail.</source>
        <extracomment>The hub&apos;s refusal (console/hub/audit_requests.py), so lupdate files it under ``Refusal``.</extracomment>
        <translation>只有管理员可以查看审计记录。</translation>
    </message>
    <message>
        <source>Your role does not see this report.</source>
        <extracomment>The hub&apos;s refusal (console/hub/report_requests.py), so lupdate files it under ``Refusal``.</extracomment>
        <translation>您的角色无权查看此报表。</translation>
    </message>
</context>
<context>
    <name>RefusalWord</name>
    <message>
        <source>accept</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>accept incidents</source>
        <translation>受理事件</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已受理</translation>
    </message>
    <message>
        <source>acknowledge early warnings</source>
        <translation>确认预警</translation>
    </message>
    <message>
        <source>acknowledge escalations for the police</source>
        <translation>代公安签收移交</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>acknowledged by the police</source>
        <translation>公安已签收</translation>
    </message>
    <message>
        <source>add notes</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>add to a major incident&apos;s timeline</source>
        <translation>在重大事件时间线中添加记录</translation>
    </message>
    <message>
        <source>address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>amber</source>
        <translation>黄色预警</translation>
    </message>
    <message>
        <source>answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>answer and close inquiries at intake</source>
        <translation>在受理时答复并办结咨询</translation>
    </message>
    <message>
        <source>answered at intake</source>
        <translation>受理时答复办结</translation>
    </message>
    <message>
        <source>approve deadline extensions</source>
        <translation>批准延期</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>area</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>arrive</source>
        <translation>到场</translation>
    </message>
    <message>
        <source>assign</source>
        <translation>交办</translation>
    </message>
    <message>
        <source>assign incidents to departments</source>
        <translation>将事件交办给部门</translation>
    </message>
    <message>
        <source>assigned</source>
        <translation>已交办</translation>
    </message>
    <message>
        <source>assignment</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>attach files</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>basically_satisfied</source>
        <translation>基本满意</translation>
    </message>
    <message>
        <source>broadcast to every console</source>
        <translation>向所有控制台广播</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>by_unit</source>
        <translation>上报单元</translation>
    </message>
    <message>
        <source>call for help as a field unit</source>
        <translation>以外勤力量身份紧急求助</translation>
    </message>
    <message>
        <source>call_taker</source>
        <translation>接线员</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>cause</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>center</source>
        <translation>中心</translation>
    </message>
    <message>
        <source>change unit status</source>
        <translation>更改单元状态</translation>
    </message>
    <message>
        <source>checkpoint</source>
        <translation>打卡点</translation>
    </message>
    <message>
        <source>classification</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>classify incidents</source>
        <translation>为事件分类</translation>
    </message>
    <message>
        <source>clear field units&apos; calls for help</source>
        <translation>解除外勤力量的紧急求助</translation>
    </message>
    <message>
        <source>cleared</source>
        <translation>已撤离</translation>
    </message>
    <message>
        <source>clock units in</source>
        <translation>为单元上班</translation>
    </message>
    <message>
        <source>clock units out</source>
        <translation>为单元下班</translation>
    </message>
    <message>
        <source>close incidents</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>co_handlers</source>
        <translation>协办部门</translation>
    </message>
    <message>
        <source>commander</source>
        <translation>指挥长</translation>
    </message>
    <message>
        <source>commit units to major incidents</source>
        <translation>向重大事件投入单元</translation>
    </message>
    <message>
        <source>community</source>
        <translation>社区</translation>
    </message>
    <message>
        <source>community_police</source>
        <translation>社区民警</translation>
    </message>
    <message>
        <source>complaint</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>completed_at</source>
        <translation>完成时间</translation>
    </message>
    <message>
        <source>confidential</source>
        <translation>保密</translation>
    </message>
    <message>
        <source>confirm messages as a police center</source>
        <translation>以公安指挥中心身份确认消息</translation>
    </message>
    <message>
        <source>confirm tasks as a field unit</source>
        <translation>以外勤力量身份确认任务</translation>
    </message>
    <message>
        <source>connect as a police center</source>
        <translation>以公安指挥中心身份连接</translation>
    </message>
    <message>
        <source>controller</source>
        <translation>调度员</translation>
    </message>
    <message>
        <source>count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>declare major incidents</source>
        <translation>宣布重大事件</translation>
    </message>
    <message>
        <source>department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>department_crew</source>
        <translation>部门队伍</translation>
    </message>
    <message>
        <source>description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>dispatch field units</source>
        <translation>派遣外勤单元</translation>
    </message>
    <message>
        <source>dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <source>disposition</source>
        <translation>处置结果</translation>
    </message>
    <message>
        <source>dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>duty_leader</source>
        <translation>值班领导</translation>
    </message>
    <message>
        <source>emergency</source>
        <translation>应急</translation>
    </message>
    <message>
        <source>en_route</source>
        <translation>在途</translation>
    </message>
    <message>
        <source>escalate incidents to the police</source>
        <translation>将事件移交公安</translation>
    </message>
    <message>
        <source>extra</source>
        <translation>附加信息</translation>
    </message>
    <message>
        <source>field</source>
        <translation>外勤</translation>
    </message>
    <message>
        <source>full</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>given a police disposition</source>
        <translation>给出公安处置结果</translation>
    </message>
    <message>
        <source>grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>grid_worker</source>
        <translation>网格员</translation>
    </message>
    <message>
        <source>half</source>
        <translation>一半</translation>
    </message>
    <message>
        <source>hand cases over as a police center</source>
        <translation>以公安指挥中心身份移交案件</translation>
    </message>
    <message>
        <source>help</source>
        <translation>求助</translation>
    </message>
    <message>
        <source>hotline</source>
        <translation>热线</translation>
    </message>
    <message>
        <source>hub</source>
        <translation>中枢</translation>
    </message>
    <message>
        <source>id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>in_progress</source>
        <translation>办理中</translation>
    </message>
    <message>
        <source>incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>inquiry</source>
        <translation>咨询</translation>
    </message>
    <message>
        <source>into</source>
        <translation>合并目标</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>lat</source>
        <translation>纬度</translation>
    </message>
    <message>
        <source>leader</source>
        <translation>领导</translation>
    </message>
    <message>
        <source>level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>link incidents to major incidents</source>
        <translation>将事件关联到重大事件</translation>
    </message>
    <message>
        <source>location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>lon</source>
        <translation>经度</translation>
    </message>
    <message>
        <source>mark incidents confidential</source>
        <translation>将事件标为保密件</translation>
    </message>
    <message>
        <source>masked</source>
        <translation>脱敏</translation>
    </message>
    <message>
        <source>mediator</source>
        <translation>调解员</translation>
    </message>
    <message>
        <source>merge duplicate incidents</source>
        <translation>合并重复事件</translation>
    </message>
    <message>
        <source>merged</source>
        <translation>已合并</translation>
    </message>
    <message>
        <source>message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>method</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>new</source>
        <translation>待受理</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>off_duty</source>
        <translation>下班</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>on_scene</source>
        <translation>已到场</translation>
    </message>
    <message>
        <source>opinion</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>out_of_service</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>patrol</source>
        <translation>巡查</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>police</source>
        <translation>公安</translation>
    </message>
    <message>
        <source>police_case_no</source>
        <translation>公安案件编号</translation>
    </message>
    <message>
        <source>police_liaison</source>
        <translation>警务联络</translation>
    </message>
    <message>
        <source>priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>public</source>
        <translation>群众</translation>
    </message>
    <message>
        <source>purpose</source>
        <translation>用途</translation>
    </message>
    <message>
        <source>radius_m</source>
        <translation>半径（米）</translation>
    </message>
    <message>
        <source>raise early warnings</source>
        <translation>发起预警</translation>
    </message>
    <message>
        <source>reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>record patrol checkpoints</source>
        <translation>记录巡查打卡</translation>
    </message>
    <message>
        <source>refuse deadline extensions</source>
        <translation>驳回延期</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>register field units</source>
        <translation>登记外勤单元</translation>
    </message>
    <message>
        <source>register new incidents</source>
        <translation>登记新事件</translation>
    </message>
    <message>
        <source>reject escalations for the police</source>
        <translation>代公安拒收移交</translation>
    </message>
    <message>
        <source>reject incidents</source>
        <translation>不予受理事件</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <source>reopen incidents</source>
        <translation>重新打开事件</translation>
    </message>
    <message>
        <source>reopened</source>
        <translation>已重新打开</translation>
    </message>
    <message>
        <source>reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>report</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>report a unit&apos;s progress</source>
        <translation>上报单元进展</translation>
    </message>
    <message>
        <source>report incidents resolved</source>
        <translation>上报事件已办结</translation>
    </message>
    <message>
        <source>report police dispositions</source>
        <translation>上报公安处置结果</translation>
    </message>
    <message>
        <source>reporter</source>
        <translation>报告人</translation>
    </message>
    <message>
        <source>request</source>
        <translation>申请</translation>
    </message>
    <message>
        <source>request deadline extensions</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>request_type</source>
        <translation>诉求类型</translation>
    </message>
    <message>
        <source>resolve</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>已办结</translation>
    </message>
    <message>
        <source>respond</source>
        <translation>处置</translation>
    </message>
    <message>
        <source>result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>return incidents for jurisdiction</source>
        <translation>退回非本单位管辖的事件</translation>
    </message>
    <message>
        <source>returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>satisfaction</source>
        <translation>满意度</translation>
    </message>
    <message>
        <source>satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>send messages to field units</source>
        <translation>向外勤力量发送消息</translation>
    </message>
    <message>
        <source>sensor</source>
        <translation>感知设备</translation>
    </message>
    <message>
        <source>sent_at</source>
        <translation>发送时间</translation>
    </message>
    <message>
        <source>shared_id</source>
        <translation>共享编号</translation>
    </message>
    <message>
        <source>sign</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>sign for assigned incidents</source>
        <translation>签收交办的事件</translation>
    </message>
    <message>
        <source>signed for</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>skills</source>
        <translation>技能</translation>
    </message>
    <message>
        <source>source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>stage</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>stand major incidents down</source>
        <translation>解除重大事件</translation>
    </message>
    <message>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>suggestion</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>supervise incidents</source>
        <translation>督办事件</translation>
    </message>
    <message>
        <source>task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>tier</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>urban_management</source>
        <translation>城管</translation>
    </message>
    <message>
        <source>value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>已核查</translation>
    </message>
    <message>
        <source>verify results</source>
        <translation>核查结果</translation>
    </message>
    <message>
        <source>video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>viewer</source>
        <translation>只读用户</translation>
    </message>
    <message>
        <source>volunteer</source>
        <translation>志愿者</translation>
    </message>
    <message>
        <source>walk_in</source>
        <translation>来访</translation>
    </message>
    <message>
        <source>window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>with_police</source>
        <translation>已移交公安</translation>
    </message>
    <message>
        <source>, </source>
        <extracomment>The parameters of a refusal that hold words rather than ids, numbers or codes. How the domain lists several words in one parameter, and how the language joins them.</extracomment>
        <translation>、</translation>
    </message>
    <message>
        <source> or </source>
        <translation>或</translation>
    </message>
</context>
<context>
    <name>ReporterReveal</name>
    <message>
        <source>Show reporter — {id}</source>
        <translation>查看报告人 — {id}</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>The reporter&apos;s name and phone are personal data: your reading them is recorded with this reason.</source>
        <translation>报告人的姓名和电话属于个人信息：您的查看将连同此理由记录在案。</translation>
    </message>
    <message>
        <source>Show reporter…</source>
        <translation>查看报告人…</translation>
    </message>
    <message>
        <source>No incident is shown.</source>
        <translation>未显示事件。</translation>
    </message>
    <message>
        <source>The reporter is shown.</source>
        <translation>报告人已显示。</translation>
    </message>
    <message>
        <source>Show the reporter&apos;s name and phone, giving a reason ({key})</source>
        <translation>说明理由后查看报告人的姓名和电话（{key}）</translation>
    </message>
    <message>
        <source>The hub did not answer; the reporter is not shown. Try again when connected.</source>
        <translation>中心服务未应答，未显示报告人。请在连接后重试。</translation>
    </message>
    <message>
        <source>Reporter of {id} shown; your reading is on record.</source>
        <translation>已显示 {id} 的报告人；您的查看已记录在案。</translation>
    </message>
    <message>
        <source>Show reporter refused: {reason}</source>
        <translation>查看报告人被拒绝：{reason}</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>Score</source>
        <translation>综合得分</translation>
    </message>
    <message>
        <source>Shift handover</source>
        <translation>交接班</translation>
    </message>
    <message>
        <source>Period statistics</source>
        <translation>统计报表</translation>
    </message>
    <message>
        <source>Department assessment</source>
        <translation>部门考核</translation>
    </message>
    <message>
        <source>Department</source>
        <extracomment>The departments sheet&apos;s columns, in order (the first ten are the workbook&apos;s contract).</extracomment>
        <translation>部门</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>Signed in time</source>
        <translation>及时签收</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>退单</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>Resolved in time</source>
        <translation>按时办结</translation>
    </message>
    <message>
        <source>Visited</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>Basically satisfied</source>
        <translation>基本满意</translation>
    </message>
    <message>
        <source>Dissatisfied</source>
        <translation>不满意</translation>
    </message>
    <message>
        <source>Extensions</source>
        <translation>延期</translation>
    </message>
    <message>
        <source>Supervised</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Reopened</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>Sign rate</source>
        <translation>签收及时率</translation>
    </message>
    <message>
        <source>On-time rate</source>
        <translation>按时办结率</translation>
    </message>
    <message>
        <source>Return rate</source>
        <translation>退单率</translation>
    </message>
    <message>
        <source>Satisfaction rate</source>
        <translation>满意率</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>在办</translation>
    </message>
    <message>
        <source>In time</source>
        <translation>按时</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>{report}, {start} to {end}</source>
        <extracomment>What the PDF and the dock show of a department&apos;s row.</extracomment>
        <translation>{report}（{start} 至 {end}）</translation>
    </message>
    <message>
        <source>Lead departments</source>
        <translation>主办部门</translation>
    </message>
    <message>
        <source>Streets</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>概况</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>件数</translation>
    </message>
    <message>
        <source>Deadlines by stage</source>
        <translation>各环节时限</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Request type</source>
        <translation>诉求类型</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Received in the shift</source>
        <translation>本班受理</translation>
    </message>
    <message>
        <source>Resolved in the shift</source>
        <translation>本班办结</translation>
    </message>
    <message>
        <source>Closed in the shift</source>
        <translation>本班结案</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Next deadline</source>
        <translation>下一时限</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Major incidents</source>
        <translation>重大事件</translation>
    </message>
    <message>
        <source>Major incident</source>
        <translation>重大事件</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Declared</source>
        <translation>宣布时间</translation>
    </message>
    <message>
        <source>With the police</source>
        <translation>移交公安</translation>
    </message>
</context>
<context>
    <name>ReportsDock</name>
    <message>
        <source>This shift</source>
        <translation>本班</translation>
    </message>
    <message>
        <source>Last shift</source>
        <translation>上一班</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>Last week</source>
        <translation>上周</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>From … to …</source>
        <translation>自定义起止</translation>
    </message>
    <message>
        <source>The period must end after it starts.</source>
        <translation>时段的结束须晚于开始。</translation>
    </message>
    <message>
        <source>The hub is computing the report…</source>
        <translation>中心正在生成报表…</translation>
    </message>
    <message>
        <source>The hub did not answer; try again when the console is connected.</source>
        <translation>中心未应答；请在连接恢复后重试。</translation>
    </message>
    <message>
        <source>Runs in time (green) and late (red)</source>
        <translation>各环节按时（绿）与超时（红）</translation>
    </message>
    <message>
        <source>Open cases by state</source>
        <translation>在办案件（按状态）</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>Could not write {file}: {why}</source>
        <translation>无法写入 {file}：{why}</translation>
    </message>
    <message>
        <source>Written to {file}</source>
        <translation>已写入 {file}</translation>
    </message>
    <message>
        <source>&amp;Report</source>
        <translation>报表(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Period</source>
        <translation>时段(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>生成(&amp;R)</translation>
    </message>
    <message>
        <source>Export .xlsx</source>
        <translation>导出 .xlsx</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>导出 PDF</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>call taker</source>
        <translation>接线员</translation>
    </message>
    <message>
        <source>controller</source>
        <translation>调度员</translation>
    </message>
    <message>
        <source>duty leader</source>
        <translation>值班领导</translation>
    </message>
    <message>
        <source>department desk</source>
        <translation>部门坐席</translation>
    </message>
    <message>
        <source>police liaison</source>
        <translation>公安联络员</translation>
    </message>
    <message>
        <source>police</source>
        <translation>公安</translation>
    </message>
    <message>
        <source>field unit</source>
        <translation>外勤力量</translation>
    </message>
    <message>
        <source>viewer</source>
        <translation>只读用户</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>管理员</translation>
    </message>
</context>
<context>
    <name>ShiftCounter</name>
    <message>
        <source>Waiting {waiting} · Overdue {overdue}</source>
        <translation>待受理 {waiting} · 超时 {overdue}</translation>
    </message>
    <message>
        <source>Cases you work that wait to be accepted, and cases past their deadline. Click or press {key} for the oldest.</source>
        <translation>您负责的待受理案件和已超时案件。单击或按 {key} 跳到最早的一件。</translation>
    </message>
</context>
<context>
    <name>SlaStrip</name>
    <message>
        <source>No time limit is running.</source>
        <translation>没有正在计时的时限。</translation>
    </message>
    <message>
        <source>{stage} · due {due} · overdue by {time}</source>
        <translation>{stage} · 截止 {due} · 已超时 {time}</translation>
    </message>
    <message>
        <source>{stage} · due {due} · {time} left</source>
        <translation>{stage} · 截止 {due} · 剩余 {time}</translation>
    </message>
    <message>
        <source>The time limit that falls due next: amber from 80 % of it, red once it has passed. {used:.0f} % used.</source>
        <translation>最先到期的时限：用时达 80% 变为琥珀色，超时变为红色。已用 {used:.0f}%。</translation>
    </message>
</context>
<context>
    <name>SosAlarm</name>
    <message>
        <source>SOS from {unit} at {time} ({lat:.5f}, {lon:.5f})</source>
        <extracomment>The units calling, oldest call first (for tests and the map).</extracomment>
        <translation>{unit} 于 {time} 发出 SOS 求救（{lat:.5f}, {lon:.5f}）</translation>
    </message>
    <message>
        <source>Acknowledge SOS</source>
        <translation>确认 SOS</translation>
    </message>
</context>
<context>
    <name>SupervisionNotice</name>
    <message>
        <source>Supervised by the duty leader: {id} — {note}</source>
        <extracomment>(incident id, note) of the reminders shown, newest first.</extracomment>
        <translation>值班领导督办：{id} — {note}</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>TimeZoneMenu</name>
    <message>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <source>The district&apos;s time ({zone})</source>
        <translation>本区时间（{zone}）</translation>
    </message>
    <message>
        <source>This computer&apos;s time ({zone})</source>
        <translation>本机时间（{zone}）</translation>
    </message>
</context>
<context>
    <name>TrailPanel</name>
    <message>
        <source>Asking the hub…</source>
        <translation>正在向中心服务查询…</translation>
    </message>
    <message>
        <source>No answer from the hub (offline?); try again.</source>
        <translation>中心服务没有应答（是否离线？），请重试。</translation>
    </message>
    <message numerus="yes">
        <source>%n position(s).</source>
        <translation>
            <numerusform>%n 个位置点。</numerusform>
        </translation>
    </message>
    <message>
        <source>The unit reported no position in this period.</source>
        <translation>该力量在此时段内没有上报位置。</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>回放</translation>
    </message>
    <message>
        <source>Trail of {unit}</source>
        <translation>{unit} 的轨迹</translation>
    </message>
    <message numerus="yes">
        <source>Last %n hour(s)</source>
        <translation>
            <numerusform>近 %n 小时</numerusform>
        </translation>
    </message>
    <message>
        <source>Show trail</source>
        <translation>显示轨迹</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>UnitRoster</name>
    <message>
        <source>Type › street</source>
        <translation>类型 › 街道</translation>
    </message>
    <message>
        <source>Street › type</source>
        <translation>街道 › 类型</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>No grouping</source>
        <translation>不分组</translation>
    </message>
    <message>
        <source>No units: none is registered in this console&apos;s view yet.</source>
        <extracomment>Status shortcuts, in the order of :data:`SETTABLE_STATUSES`. One key per step of an assignment, on the tree alone (the search field takes letters).</extracomment>
        <translation>没有力量：本控制台尚未看到任何已登记的力量。</translation>
    </message>
    <message>
        <source>No unit matches the filter. Choose “All types”, “All streets” and “All statuses” to see every unit.</source>
        <translation>没有符合筛选条件的力量。选择“全部类型”“全部街道”和“全部状态”以查看所有力量。</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>{unit} on {incident}: {step}.</source>
        <translation>{unit} 在 {incident} 的任务：{step}。</translation>
    </message>
    <message>
        <source>{unit} is now {status}.</source>
        <translation>{unit} 状态已改为{status}。</translation>
    </message>
    <message>
        <source>Offline: not connected to the hub; the change was not sent.</source>
        <translation>离线：未连接到服务器，修改未发送。</translation>
    </message>
    <message>
        <source>{unit}: {why}</source>
        <translation>{unit}：{why}</translation>
    </message>
    <message>
        <source>{unit} {name} has not acknowledged {incident} within {minutes:g} min: call the unit.</source>
        <translation>{unit} {name} 在 {minutes:g} 分钟内未签收 {incident}：请电话联系。</translation>
    </message>
    <message>
        <source>Not live: the roster shows the last state received.</source>
        <translation>非实时：力量列表显示的是最后收到的状态。</translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s)</source>
        <translation>
            <numerusform>%n 个力量</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Units the roster shows with its filter, of %n in this console&apos;s view.</source>
        <translation>
            <numerusform>名册按其筛选条件显示的力量，本控制台共可见 %n 个。</numerusform>
        </translation>
    </message>
    <message>
        <source>All streets</source>
        <translation>全部街道</translation>
    </message>
    <message>
        <source>Search unit name or id…</source>
        <translation>搜索力量名称或编号…</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Field teams (no grid workers)</source>
        <translation>外勤队伍（不含网格员）</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Set {status}</source>
        <translation>设为{status}</translation>
    </message>
    <message>
        <source>Report {step}</source>
        <translation>报告{step}</translation>
    </message>
    <message>
        <source>The selected units&apos; current assignment: {step} (key {key} in the list)</source>
        <translation>所选力量的当前任务：{step}（在列表中按 {key} 键）</translation>
    </message>
    <message>
        <source>Open incident</source>
        <translation>打开事件</translation>
    </message>
</context>
<context>
    <name>UnitRosterModel</name>
    <message>
        <source>Unit</source>
        <translation>力量</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>层级</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Time in status</source>
        <translation>状态持续时间</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Grid worker</source>
        <translation>网格员</translation>
    </message>
    <message>
        <source>Community police</source>
        <translation>社区民警</translation>
    </message>
    <message>
        <source>Urban management</source>
        <translation>城管</translation>
    </message>
    <message>
        <source>Patrol</source>
        <translation>巡逻</translation>
    </message>
    <message>
        <source>Mediator</source>
        <translation>调解员</translation>
    </message>
    <message>
        <source>Emergency team</source>
        <translation>应急队伍</translation>
    </message>
    <message>
        <source>Volunteer</source>
        <translation>志愿者</translation>
    </message>
    <message>
        <source>Department crew</source>
        <translation>部门作业队伍</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>下班</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>在途</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>在现场</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>No street</source>
        <translation>未归属街道</translation>
    </message>
    <message>
        <source>Not on the unit&apos;s device after a minute</source>
        <translation>一分钟后仍未送达终端</translation>
    </message>
    <message>
        <source>On the unit&apos;s device since {time}</source>
        <translation>已于 {time} 送达终端</translation>
    </message>
    <message>
        <source>{name} ({count})</source>
        <translation>{name}（{count}）</translation>
    </message>
    <message>
        <source>{days}d {hours:02d}h</source>
        <translation>{days}天{hours:02d}时</translation>
    </message>
</context>
<context>
    <name>VideoWall</name>
    <message>
        <source>Drag a camera here</source>
        <translation>将摄像头拖到此处</translation>
    </message>
    <message>
        <source>Buffering…</source>
        <translation>缓冲中…</translation>
    </message>
    <message>
        <source>Playing</source>
        <translation>播放中</translation>
    </message>
    <message>
        <source>Unavailable</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>retrying in {seconds} s</source>
        <translation>{seconds} 秒后重试</translation>
    </message>
    <message>
        <source>no picture within {seconds} s</source>
        <translation>{seconds} 秒内无画面</translation>
    </message>
    <message>
        <source>no picture for {seconds} s</source>
        <translation>已 {seconds} 秒无画面</translation>
    </message>
    <message>
        <source>the stream ended</source>
        <translation>视频流已结束</translation>
    </message>
    <message>
        <source>the camera has no stream address</source>
        <translation>该摄像头没有视频流地址</translation>
    </message>
    <message>
        <source>Snapshot of camera {name} ({id}) taken at {time}; the picture is on workstation {host}: {file}</source>
        <translation>已于 {time} 截取摄像头 {name}（{id}）的画面；图片保存在工作站 {host}：{file}</translation>
    </message>
    <message>
        <source>Snapshot</source>
        <translation>截图</translation>
    </message>
    <message>
        <source>Save this picture and note it on the incident</source>
        <translation>保存此画面并记入事件备注</translation>
    </message>
    <message>
        <source>Take the camera off this tile</source>
        <translation>从此格移除摄像头</translation>
    </message>
    <message>
        <source>There is no camera {id}.</source>
        <extracomment>The wall&apos;s players, in the video thread; made with the first stream, so a wall that is never on screen starts neither the thread nor the multimedia backend.</extracomment>
        <translation>没有摄像头 {id}。</translation>
    </message>
    <message>
        <source>Choose an incident first.</source>
        <translation>请先选择一个事件。</translation>
    </message>
    <message>
        <source>No cameras are known to this console.</source>
        <translation>本控制台没有任何摄像头信息。</translation>
    </message>
    <message>
        <source>This tile has no picture yet.</source>
        <translation>此格尚无画面。</translation>
    </message>
    <message>
        <source>The snapshot could not be saved as {file}.</source>
        <translation>截图无法保存为 {file}。</translation>
    </message>
    <message>
        <source>Snapshot saved as {file}.</source>
        <translation>截图已保存为 {file}。</translation>
    </message>
    <message>
        <source>Snapshot noted on {id}.</source>
        <translation>截图已记入 {id} 的备注。</translation>
    </message>
    <message>
        <source>The snapshot was saved as {file} but not noted on {id}: {reason}</source>
        <translation>截图已保存为 {file}，但未能记入 {id}：{reason}</translation>
    </message>
    <message>
        <source>Tiles:</source>
        <translation>画面数：</translation>
    </message>
    <message>
        <source>{n} tiles</source>
        <translation>{n} 格</translation>
    </message>
    <message>
        <source>Cameras near the incident</source>
        <translation>事件附近的摄像头</translation>
    </message>
    <message>
        <source>Fill the wall with the cameras nearest the incident</source>
        <translation>用离事件最近的摄像头填满视频墙</translation>
    </message>
    <message>
        <source>Filter cameras</source>
        <translation>筛选摄像头</translation>
    </message>
    <message>
        <source>Drag a camera onto a tile, or double-click it</source>
        <translation>将摄像头拖到画面格上，或双击它</translation>
    </message>
</context>
<context>
    <name>WorkersDock</name>
    <message>
        <source>Unit</source>
        <extracomment>The ranking&apos;s columns: heading, and the row&apos;s value.</extracomment>
        <translation>编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>On duty / rostered h</source>
        <translation>在岗 / 排班 小时</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>迟到</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>缺勤</translation>
    </message>
    <message>
        <source>km</source>
        <translation>公里</translation>
    </message>
    <message>
        <source>In grid</source>
        <translation>网格内</translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation>巡更点</translation>
    </message>
    <message>
        <source>Reports (cases)</source>
        <translation>上报(立案)</translation>
    </message>
    <message>
        <source>Tasks on time</source>
        <translation>按时完成任务</translation>
    </message>
    <message>
        <source>Verifications</source>
        <translation>核查</translation>
    </message>
    <message>
        <source>Community</source>
        <translation>社区</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Asking the hub…</source>
        <translation>正在向中心服务查询…</translation>
    </message>
    <message>
        <source>Reading the month from the hub…</source>
        <translation>正在从中心服务读取整月数据…</translation>
    </message>
    <message>
        <source>Export the month</source>
        <translation>导出整月</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>{n} workers, best score first</source>
        <translation>{n} 名网格员，按得分从高到低</translation>
    </message>
    <message>
        <source>On duty / rostered</source>
        <translation>在岗 / 排班</translation>
    </message>
    <message>
        <source>{on_duty:.1f} h / {rostered:.1f} h</source>
        <translation>{on_duty:.1f} 小时 / {rostered:.1f} 小时</translation>
    </message>
    <message>
        <source>Late / absent</source>
        <translation>迟到 / 缺勤</translation>
    </message>
    <message>
        <source>Clock-ins off roster / outside the grid</source>
        <translation>非排班打卡 / 网格外打卡</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>里程</translation>
    </message>
    <message>
        <source>{km:.1f} km</source>
        <translation>{km:.1f} 公里</translation>
    </message>
    <message>
        <source>On duty inside the own grid</source>
        <translation>在岗时处于本网格内</translation>
    </message>
    <message>
        <source>Checkpoints passed / planned</source>
        <translation>已巡更点 / 计划</translation>
    </message>
    <message>
        <source>Reports (became cases)</source>
        <translation>上报(立案)</translation>
    </message>
    <message>
        <source>Verifications on site</source>
        <translation>现场核查</translation>
    </message>
    <message>
        <source>{name} ({unit}), {community}, {day}: score {score}</source>
        <translation>{name}（{unit}），{community}，{day}：得分 {score}</translation>
    </message>
    <message>
        <source>Grid workers&apos; assessment {month}</source>
        <translation>网格员考核 {month}</translation>
    </message>
    <message>
        <source>The sheet was not written: {error}</source>
        <translation>考核表未能写入：{error}</translation>
    </message>
    <message>
        <source>{n} workers written to {path}</source>
        <translation>已将 {n} 名网格员写入 {path}</translation>
    </message>
    <message>
        <source>The hub did not answer; try again when the console is connected.</source>
        <translation>中心服务没有应答；请在控制台连接后重试。</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Export month (.xlsx)…</source>
        <translation>导出整月 (.xlsx)…</translation>
    </message>
    <message>
        <source>Replay on the map</source>
        <translation>在地图上回放</translation>
    </message>
    <message>
        <source>Choose a worker to see the day.</source>
        <translation>选择一名网格员查看当天情况。</translation>
    </message>
</context>
<context>
    <name>ads::CDockAreaTitleBar</name>
    <message>
        <source>Detach Group</source>
        <translation>浮动此组</translation>
    </message>
    <message>
        <source>Unpin (Dock)</source>
        <translation>取消固定（停靠）</translation>
    </message>
    <message>
        <source>Pin Group</source>
        <translation>固定此组</translation>
    </message>
    <message>
        <source>Pin Group To...</source>
        <translation>将此组固定到…</translation>
    </message>
    <message>
        <source>Minimize</source>
        <translation>最小化</translation>
    </message>
    <message>
        <source>Close Group</source>
        <translation>关闭此组</translation>
    </message>
    <message>
        <source>Close Other Groups</source>
        <translation>关闭其他组</translation>
    </message>
    <message>
        <source>Top</source>
        <translation>上</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>左</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>右</translation>
    </message>
    <message>
        <source>Bottom</source>
        <translation>下</translation>
    </message>
</context>
<context>
    <name>ads::CDockWidgetTab</name>
    <message>
        <source>Detach</source>
        <extracomment>What QtAds builds when it is shown (context menus of a tab and of a dock area&apos;s title bar).</extracomment>
        <translation>浮动</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>固定</translation>
    </message>
    <message>
        <source>Pin To...</source>
        <translation>固定到…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close Others</source>
        <translation>关闭其他</translation>
    </message>
    <message>
        <source>Top</source>
        <translation>上</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>左</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>右</translation>
    </message>
    <message>
        <source>Bottom</source>
        <translation>下</translation>
    </message>
</context>
</TS>
