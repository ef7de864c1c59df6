# ruff: noqa: E501  (verbatim Chinese source text reads better unwrapped)
"""Seed content of the work schedule page (工作安排表): the 24 work items verbatim from the seed document.

Used by the schedule page's seed (home/seed_pages.py) and by the work items (home/work_items_seed.py);
the English of each cell is in SCHEDULE_EN (home/seed_pages_content.py adds it to the page translations).
"""

import uuid


def _id():
    return str(uuid.uuid4())


# --- Work schedule (工作安排表), verbatim from the source document ---------------------------------

# (number, work item, requirements, 负责人, 责任人, deadline as written); blank cells are "".
SCHEDULE_ROWS = [
    (1, '确定我省全民参保登记计划试点城市', '向部中心申报我省试点城市；根据部中心要求，指导试点城市长沙市拟定试点申报材料', '陈范勋', '张劲波', '已完成'),
    (2, '组织有关人员赴部分省市、街道社区调研', '赴部分省市学习当地全民参保登记工作经验、赴街道社区调研全民参保登记工作', '张和平', '张劲波', '2014年12月'),
    (3, '制定《湖南省全民社会保险参保登记工作方案》', '工作方案应明确指导思想、工作目标、工作措施、工作步骤、工作要求，确定未参保人员登记表式等', '陈范勋', '张劲波', '2014年10月'),
    (4, '制定《湖南省全民参保登记主要工作安排表》', '细化工作项目，落实工作任务，明确工作要求', '张劲波', '彭惠', '2014年10月'),
    (5, '开发全省全民参保登记信息系统', '完善现有社保卡发放数据项目，满足全民参保登记工作需要，做好系统测试运行；整合社会保险参保单位信息，形成全省参保单位登记数据库，与省质监局法人库实时对接；实现全民参保登记信息系统与业务经办系统实时对接', '陈范勋', '吴欣、各险种经办机构负责人、各相关软件开发商负责人', '2016年12月'),
    (6, '开发未参保人员信息采集客户端', '研究开发基于互联网的未参保人员信息采集乡镇社区终端程序，做好运行测试，满足登记工作要求', '吴欣', '', '2014年10月'),
    (7, '试点城市印发全民参保登记工作的通知（意见）', '长沙市贯彻落实试点工作通知（意见），明确试点工作任务，落实工作责任', '长沙市人社局负责人', '', '2014年12月'),
    (8, '试点城市发布全民参保登记通告', '省领导小组指导长沙市拟定并向社会发布关于开展全民参保登记的通告', '长沙市人社局负责人', '', '2014年12月'),
    (9, '试点城市制定全民参保登记业务操作流程', '结合社会保险卡的发放，制定并完善全民参保登记业务流程', '长沙市人社局负责人', '', '2014年12月'),
    (10, '确定印制宣传资料', '设计印制全民参保登记张贴画、板报；编写全民参保登记政策问答', '长沙市人社局负责人', '', '2014年12月'),
    (11, '试点城市召开全民参保登记工作动员会', '向市委、市政府做好全民参保登记工作汇报，成立工作领导小组，协调工作机制，落实工作经费', '长沙市人社局负责人', '', '2014年12月'),
    (12, '试点城市组织开展全民参保登记宣传工作', '组织上街宣传活动', '长沙市人社局负责人', '', '2014年12月'),
    (13, '印发全省全民参保登记工作的通知', '全省贯彻落实通知精神，明确工作任务，落实工作要求（争取省政府办公厅发文）', '陈范勋', '张劲波', '2015年5月'),
    (14, '制定全省全民参保登记业务操作规程', '按照工作项目制定业务操作规程，统一规范', '陈范勋', '张劲波', '2015年6月'),
    (15, '组织参保人员的信息比对', '由各险种软件开发商对已参保人员信息进行比对，检索出参保人员的疑点信息，组织参保单位或社区进行核实', '陈范勋', '信息中心负责人、各险种经办机构负责人、各相关软件开发商负责人', '2016年12月'),
    (16, '组织未参保人员进行登记', '社区、乡镇对有意愿登记的未参保人员进行登记，发放社会保障卡', '各社区、乡镇负责人', '各社区、乡镇、参保单位经办人员', '2016年12月'),
    (17, '组织入户登记调查', '与公安、民政、卫计等部门的人口信息联网比对，检索出仍未登记人员，形成未登记人员名册（含家庭住址）；社区、乡镇上门入户开展登记调查核实工作，发放社会保障卡', '各社区、乡镇负责人', '各社区、乡镇经办人员', '2017年3月'),
    (18, '研究下发登记动态管理文件', '研究登记动态管理办法、操作流程', '', '', '2017年6月'),
    (19, '对全民参保登记情况进行统计分析', '分行政区域撰写全民参保登记情况统计分析报告', '各行政区域人社部门负责人', '各行政区域牵头单位负责人', '2017年8月'),
    (20, '各地对全民参保登记工作进行自查、总结', '按时完成自查报告', '各地人社局负责人', '各地牵头单位负责人', '2017年12月'),
    (21, '组织力量对各地全民参保登记工作进行抽查、评估', '制定评估标准，组织专家力量，抽查部分单位，提供检查评估报告', '陈范勋', '张劲波', '2017年12月'),
    (22, '向部报送书面总结报告', '按时上报', '陈范勋', '张劲波', '2017年12月'),
    (23, '完善相关制度和政策', '按照统一部署推进五险统一征缴体制改革、机关事业单位养老保险制度改革；完善养老保险制度转移接续政策、异地就医医保结算政策；完善落实社会保险执法分工效能政策等', '', '', '2017年12月'),
    (24, '召开全省全民参保登记总结会议', '认真总结经验和典型', '陈范勋', '张劲波', '2017年12月'),]
SCHEDULE_PHASES = [("准备阶段", range(1, 13)), ("实施阶段", range(13, 20)), ("完善阶段", range(20, 25))]
# The source marks row 1 已完成; it records no status for the others.
SCHEDULE_STATUS = {1: "done"}

SCHEDULE_EN = {
    "准备阶段": "Preparation phase",
    "实施阶段": "Implementation phase",
    "完善阶段": "Consolidation phase",
    "已完成": "Completed",
    "2014年10月": "October 2014",
    "2014年12月": "December 2014",
    "2015年5月": "May 2015",
    "2015年6月": "June 2015",
    "2016年12月": "December 2016",
    "2017年3月": "March 2017",
    "2017年6月": "June 2017",
    "2017年8月": "August 2017",
    "2017年12月": "December 2017",
    "陈范勋": "Chen Fanxun",
    "张劲波": "Zhang Jinbo",
    "张和平": "Zhang Heping",
    "彭惠": "Peng Hui",
    "吴欣": "Wu Xin",
    "吴欣、各险种经办机构负责人、各相关软件开发商负责人": (
        "Wu Xin; heads of the agencies for each type of insurance; heads of the software developers concerned"
    ),
    "长沙市人社局负责人": "Head of the Changsha Human Resources and Social Security Bureau",
    "信息中心负责人、各险种经办机构负责人、各相关软件开发商负责人": (
        "Head of the information centre; heads of the agencies for each type of insurance; "
        "heads of the software developers concerned"
    ),
    "各社区、乡镇负责人": "Heads of each community and township",
    "各社区、乡镇、参保单位经办人员": "Caseworkers of each community, township and insured employer",
    "各社区、乡镇经办人员": "Caseworkers of each community and township",
    "各行政区域人社部门负责人": "Heads of the human resources and social security departments of each administrative area",
    "各行政区域牵头单位负责人": "Heads of the lead units of each administrative area",
    "各地人社局负责人": "Heads of the local human resources and social security bureaus",
    "各地牵头单位负责人": "Heads of the local lead units",
    # Work items and requirements, row by row.
    "确定我省全民参保登记计划试点城市": "Choose the province's pilot city for the universal registration plan",
    "向部中心申报我省试点城市；根据部中心要求，指导试点城市长沙市拟定试点申报材料": (
        "Nominate the province's pilot city to the Ministry's centre; as the centre requires, guide the pilot "
        "city, Changsha, in preparing its application"
    ),
    "组织有关人员赴部分省市、街道社区调研": "Send staff to study other provinces and cities and to visit sub-district communities",
    "赴部分省市学习当地全民参保登记工作经验、赴街道社区调研全民参保登记工作": (
        "Learn from the registration experience of other provinces and cities; study registration work in "
        "sub-district communities"
    ),
    "制定《湖南省全民社会保险参保登记工作方案》": (
        "Draw up the Hunan Province Work Plan for Universal Social Insurance Registration"
    ),
    "工作方案应明确指导思想、工作目标、工作措施、工作步骤、工作要求，确定未参保人员登记表式等": (
        "The plan sets out the guiding principles, goals, measures, steps and requirements, and fixes the "
        "registration form for uninsured people, among other things"
    ),
    "制定《湖南省全民参保登记主要工作安排表》": "Draw up the Hunan Province Universal Registration Work Schedule",
    "细化工作项目，落实工作任务，明确工作要求": "Break the work into items, assign the tasks and state the requirements",
    "开发全省全民参保登记信息系统": "Develop the province-wide universal registration information system",
    "完善现有社保卡发放数据项目，满足全民参保登记工作需要，做好系统测试运行；整合社会保险参保单位信息，形成全省参保单位登记数据库，与省质监局法人库实时对接；实现全民参保登记信息系统与业务经办系统实时对接": (
        "Extend the data items of the existing social security card issuing system to meet the needs of "
        "registration, and test-run the system; consolidate the records of insured employers into a "
        "province-wide employer register linked in real time to the legal-entity database of the Provincial "
        "Quality and Technical Supervision Bureau; link the registration system in real time to the case "
        "handling systems"
    ),
    "开发未参保人员信息采集客户端": "Develop the client program for collecting information on uninsured people",
    "研究开发基于互联网的未参保人员信息采集乡镇社区终端程序，做好运行测试，满足登记工作要求": (
        "Develop an internet-based terminal program for townships and communities to collect information on "
        "uninsured people, test it in operation and make sure it meets the needs of registration"
    ),
    "试点城市印发全民参保登记工作的通知（意见）": "The pilot city issues its notice (guidance) on universal registration",
    "长沙市贯彻落实试点工作通知（意见），明确试点工作任务，落实工作责任": (
        "Changsha implements the pilot notice (guidance), sets out the pilot tasks and assigns responsibilities"
    ),
    "试点城市发布全民参保登记通告": "The pilot city publishes its public notice on universal registration",
    "省领导小组指导长沙市拟定并向社会发布关于开展全民参保登记的通告": (
        "The provincial leading group guides Changsha in drafting and publishing the public notice on "
        "universal registration"
    ),
    "试点城市制定全民参保登记业务操作流程": "The pilot city draws up the registration procedures",
    "结合社会保险卡的发放，制定并完善全民参保登记业务流程": (
        "Draw up and refine the registration procedures together with the issuing of social security cards"
    ),
    "确定印制宣传资料": "Decide on and print the publicity materials",
    "设计印制全民参保登记张贴画、板报；编写全民参保登记政策问答": (
        "Design and print posters and display boards on universal registration; write the policy Q&A"
    ),
    "试点城市召开全民参保登记工作动员会": "The pilot city holds a mobilisation meeting on universal registration",
    "向市委、市政府做好全民参保登记工作汇报，成立工作领导小组，协调工作机制，落实工作经费": (
        "Report on universal registration to the municipal Party committee and government, set up a leading "
        "group, coordinate the working arrangements and secure funding"
    ),
    "试点城市组织开展全民参保登记宣传工作": "The pilot city organises publicity for universal registration",
    "组织上街宣传活动": "Organise street publicity events",
    "印发全省全民参保登记工作的通知": "Issue the province-wide notice on universal registration",
    "全省贯彻落实通知精神，明确工作任务，落实工作要求（争取省政府办公厅发文）": (
        "The whole province implements the notice, sets out the tasks and meets the requirements (seeking "
        "issuance by the General Office of the Provincial Government)"
    ),
    "制定全省全民参保登记业务操作规程": "Draw up the province-wide registration operating rules",
    "按照工作项目制定业务操作规程，统一规范": "Draw up operating rules item by item, to one common standard",
    "组织参保人员的信息比对": "Organise the cross-checking of insured people's records",
    "由各险种软件开发商对已参保人员信息进行比对，检索出参保人员的疑点信息，组织参保单位或社区进行核实": (
        "The software developers of each type of insurance cross-check the records of insured people and "
        "find doubtful records, which insured employers or communities then verify"
    ),
    "组织未参保人员进行登记": "Register uninsured people",
    "社区、乡镇对有意愿登记的未参保人员进行登记，发放社会保障卡": (
        "Communities and townships register uninsured people who wish to register and issue social security "
        "cards"
    ),
    "组织入户登记调查": "Carry out door-to-door registration visits",
    "与公安、民政、卫计等部门的人口信息联网比对，检索出仍未登记人员，形成未登记人员名册（含家庭住址）；社区、乡镇上门入户开展登记调查核实工作，发放社会保障卡": (
        "Cross-check population records online with public security, civil affairs, health and family "
        "planning and other departments to find people still unregistered and list them (with home "
        "addresses); communities and townships visit their homes to register and verify, and issue social "
        "security cards"
    ),
    "研究下发登记动态管理文件": "Prepare and issue the rules for keeping registrations up to date",
    "研究登记动态管理办法、操作流程": "Work out how registrations are kept up to date and the procedures",
    "对全民参保登记情况进行统计分析": "Produce statistics and analysis of universal registration",
    "分行政区域撰写全民参保登记情况统计分析报告": "Write a statistical analysis report on registration for each administrative area",
    "各地对全民参保登记工作进行自查、总结": "Each locality reviews and sums up its own registration work",
    "按时完成自查报告": "Complete the self-review report on time",
    "组织力量对各地全民参保登记工作进行抽查、评估": "Spot-check and evaluate the registration work of each locality",
    "制定评估标准，组织专家力量，抽查部分单位，提供检查评估报告": (
        "Set evaluation criteria, bring in experts, spot-check some units and deliver an evaluation report"
    ),
    "向部报送书面总结报告": "Submit a written summary report to the Ministry",
    "按时上报": "Submit on time",
    "完善相关制度和政策": "Improve the related rules and policies",
    "按照统一部署推进五险统一征缴体制改革、机关事业单位养老保险制度改革；完善养老保险制度转移接续政策、异地就医医保结算政策；完善落实社会保险执法分工效能政策等": (
        "As centrally planned, advance the reform toward unified collection of the five insurances and the "
        "pension reform for government agencies and public institutions; improve the rules for transferring "
        "pension insurance and for settling medical costs incurred in another region; improve the division "
        "of labour and effectiveness of social insurance law enforcement, among other things"
    ),
    "召开全省全民参保登记总结会议": "Hold the province-wide summing-up meeting on universal registration",
    "认真总结经验和典型": "Sum up the lessons learned and the good examples",
}


def schedule_phases_data():
    """The schedule as raw StreamField data: one phase block per phase, its rows in document order."""
    by_number = {row[0]: row for row in SCHEDULE_ROWS}
    data = []
    for phase, numbers in SCHEDULE_PHASES:
        rows = []
        for n in numbers:
            number, item, requirements, lead, responsible, deadline = by_number[n]
            rows.append({"type": "item", "id": _id(), "value": {
                "number": number, "item": item, "requirements": requirements, "lead": lead,
                "responsible": responsible, "deadline": deadline, "status": SCHEDULE_STATUS.get(number, ""),
            }})
        data.append({"type": "phase", "id": _id(), "value": {"title": phase, "rows": rows}})
    return data
